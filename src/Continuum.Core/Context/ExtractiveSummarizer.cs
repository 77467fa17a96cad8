using System.Text;
using System.Text.RegularExpressions;
using Continuum.Tokens;

namespace Continuum.Context;

/// <summary>
/// The built-in summarizer, no model needed: it keeps the sentences that carry what a later reader needs
/// (entities, numbers with units, decisions, instructions, open questions, findings), in their original order
/// and with who said them, until the token limit.
/// </summary>
public sealed partial class ExtractiveSummarizer(IEntityExtractor entities, ITokenCounter tokens) : ISummarizer
{
    private const int MaxSentenceTokens = 80;

    /// <summary>The name stored with summaries this summarizer writes.</summary>
    public const string SummarizerName = "extractive";

    /// <inheritdoc />
    public string Name => SummarizerName;

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[\p{Lu}\d""'(\[])|\n+", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBreak();

    [GeneratedRegex(@"\b(decid\w*|agree\w*|conclu\w*|chose|choos\w*|plan\w*|will|going to|must|should|need to|fix\w*|root cause|because|found|confirm\w*|turns out|resolved|solved|caused|result\w*|switch\w* to|use|using|prefer\w*|always|never|remember|important|note)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DecisionWords();

    [GeneratedRegex(@"^(?:please\s+)?(restart|run|set|wait|check|install|deploy|open|close|add|remove|delete|update|upgrade|call|send|create|make|enable|disable|stop|start|move|copy|replace|reboot|configure|try|don't|do not|never|always)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InstructionStart();

    [GeneratedRegex(@"\d", RegexOptions.CultureInvariant)]
    private static partial Regex Digit();

    /// <inheritdoc />
    public Task<string> SummarizeAsync(IReadOnlyList<SummarySource> items, int maxTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var candidates = new List<Candidate>();
        var order = 0;
        foreach (var item in items)
        {
            var speaker = item.Type == "summary" ? "" : item.Type is "tool_call" or "tool_result" ? $"{item.Role} ({item.Type}): " : $"{item.Role}: ";
            foreach (var raw in SentenceBreak().Split(item.Content))
            {
                var sentence = raw.Trim().TrimStart('-', '*', '•', ' ');
                if (sentence.Length < 3)
                {
                    continue;
                }

                candidates.Add(new Candidate(order++, speaker, Clip(sentence), Score(sentence, item)));
            }
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var chosen = new List<Candidate>();
        var used = 0;
        // Filler (greetings, "ok") is kept only when there is nothing else to keep.
        var worthKeeping = candidates.Any(c => c.Score > 0) ? candidates.Where(c => c.Score > 0) : candidates;
        foreach (var c in worthKeeping.OrderByDescending(c => c.Score).ThenByDescending(c => c.Order))
        {
            if (!seen.Add(c.Text))
            {
                continue;
            }

            var cost = tokens.Count(c.Line) + 1;
            if (used + cost > maxTokens)
            {
                continue;
            }

            used += cost;
            chosen.Add(c);
        }

        var summary = new StringBuilder();
        foreach (var c in chosen.OrderBy(c => c.Order))
        {
            summary.Append(c.Line).Append('\n');
        }

        return Task.FromResult(summary.ToString().TrimEnd());
    }

    private double Score(string sentence, SummarySource item)
    {
        var score = 0.0;
        // The event's entities were extracted on append; only summaries of summaries need extracting again.
        var found = item.Entities is { } known
            ? known.Count(e => sentence.Contains(e, StringComparison.OrdinalIgnoreCase))
            : entities.Extract(sentence).Count;
        score += Math.Min(4, found) * 2.0;
        if (Digit().IsMatch(sentence))
        {
            score += 1;
        }

        if (DecisionWords().IsMatch(sentence))
        {
            score += 2;
        }

        if (InstructionStart().IsMatch(sentence))
        {
            score += 2.5;
        }

        if (sentence.EndsWith('?'))
        {
            score += 2;
        }

        if (item.Type == "summary")
        {
            score += 1;
        }

        if (item.Type == "error")
        {
            score += 2;
        }

        // Very short pleasantries carry nothing; very long sentences cost more than they give.
        var words = sentence.Count(char.IsWhiteSpace) + 1;
        if (words < 4)
        {
            score -= 1.5;
        }

        return score;
    }

    private string Clip(string sentence)
    {
        if (tokens.Count(sentence) <= MaxSentenceTokens)
        {
            return sentence;
        }

        var words = sentence.Split(' ');
        var kept = new StringBuilder();
        foreach (var word in words)
        {
            if (tokens.Count(kept.ToString() + word) > MaxSentenceTokens - 1)
            {
                break;
            }

            kept.Append(word).Append(' ');
        }

        return kept.ToString().TrimEnd() + "…";
    }

    private sealed record Candidate(int Order, string Speaker, string Text, double Score)
    {
        public string Line => "- " + Speaker + Text;
    }
}
