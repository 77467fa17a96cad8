using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Continuum.Memory;

/// <summary>
/// The built-in rules that keep memories tidy without a model: near-duplicates (the same words, give or take a
/// few) merge, and a fact about a subject closes the interval of an older fact about the same subject that states a
/// different value. A fact's subject is the phrase before its verb ("GPU temp is 82C" is about <c>gpu temp</c>); a
/// pronoun ("after the fan fix it is 61C") refers to the newest fact whose value has the same unit, or the newest fact.
/// </summary>
public static partial class MemoryRules
{
    /// <summary>Word overlap (Jaccard) at which two memories are the same memory.</summary>
    public const double DuplicateSimilarity = 0.8;

    private static readonly HashSet<string> Calendar = new(StringComparer.Ordinal)
    {
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    };

    private static readonly HashSet<string> Pronouns = new(StringComparer.Ordinal) { "it", "this", "that", "they", "he", "she", "its", "these", "those" };

    private static readonly HashSet<string> ClauseWords = new(StringComparer.Ordinal)
    {
        "after", "before", "since", "when", "because", "now", "then", "following", "once", "today", "yesterday", "currently", "so", "and", "but",
        "until", "while", "as", "with", "without", "during", "per", "says", "said", "think", "thinks", "believe", "believes",
    };

    private static readonly HashSet<string> Filler = new(StringComparer.Ordinal)
    {
        "the", "a", "an", "my", "our", "your", "his", "her", "their", "of", "to", "in", "on", "for", "is", "are", "was", "were", "be", "been", "and", "or",
        "it", "that", "this", "i", "we", "you", "me", "us", "do", "does", "did", "has", "have", "had", "at", "by", "with", "from", "as", "so", "very", "really",
    };

    [GeneratedRegex(@"\b(?:is|are|was|were|equals|stands at|reads|reached|sits at|runs at|became|becomes|lives in|works at|works for|moved to|uses)\b|[=:]", RegexOptions.IgnoreCase)]
    private static partial Regex Copula();

    [GeneratedRegex(@"(-?\d+(?:[.,]\d+)?)\s*(°\s*[CF]|%|[A-Za-z]{1,6}\b)?")]
    private static partial Regex Quantity();

    /// <summary>The words of a text that carry meaning, lower case and lightly stemmed.</summary>
    public static HashSet<string> Words(string text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in Tokens(text))
        {
            if (!Filler.Contains(word))
            {
                words.Add(Stem(word));
            }
        }

        return words;
    }

    /// <summary>Jaccard overlap of the meaningful words of two texts (1 when both have none).</summary>
    public static double Similarity(string a, string b)
    {
        var x = Words(a);
        var y = Words(b);
        if (x.Count == 0 && y.Count == 0)
        {
            return 1;
        }

        var common = x.Count(y.Contains);
        return (double)common / (x.Count + y.Count - common);
    }

    /// <summary>The subject of a fact (the phrase before its verb), normalized; null when there is no verb.</summary>
    public static string? Subject(string content)
    {
        var match = Copula().Match(content);
        if (!match.Success || match.Index == 0)
        {
            return null;
        }

        var before = content[..match.Index];
        var cut = before.LastIndexOfAny([',', ';', '.', '(', ')']);
        if (cut >= 0)
        {
            before = before[(cut + 1)..];
        }

        var words = Tokens(before).ToList();
        if (words.Count == 0)
        {
            return null;
        }

        if (Pronouns.Contains(words[^1]))
        {
            return "it";
        }

        // Back from the verb to the start of the clause ("after the fan fix the GPU temp is …" is about "gpu temp").
        var start = words.FindLastIndex(w => ClauseWords.Contains(w)) + 1;
        var subject = words.Skip(start).Where(w => !Filler.Contains(w)).ToList();
        return subject.Count == 0 ? null : string.Join(' ', subject);
    }

    /// <summary>The unit of the first quantity in the text after its verb (<c>c</c> for 82C or 82 °C, <c>%</c>, <c>gb</c>), "" for a bare number, null for none.</summary>
    public static string? Unit(string content)
    {
        var match = Copula().Match(content);
        var after = match.Success ? content[(match.Index + match.Length)..] : content;
        var quantity = Quantity().Match(after);
        if (!quantity.Success)
        {
            return null;
        }

        var unit = quantity.Groups[2].Value.Replace("°", "", StringComparison.Ordinal).Trim().ToLowerInvariant();
        return unit.Length > 0 && char.IsLetter(unit[0]) && !Filler.Contains(unit) && unit is not ("after" or "and" or "then") ? unit : unit == "%" ? "%" : "";
    }

    /// <summary>True when two subjects name the same thing: the same words, or one's words are prefixes of the other's ("temp" and "temperature").</summary>
    public static bool SameSubject(string a, string b)
    {
        var x = a.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var y = b.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (x.Length == 0 || y.Length == 0)
        {
            return false;
        }

        static bool Covered(string[] small, string[] large) =>
            small.All(s => large.Any(l => l == s || (Math.Min(s.Length, l.Length) >= 3 && (l.StartsWith(s, StringComparison.Ordinal) || s.StartsWith(l, StringComparison.Ordinal)))));
        return x.Length <= y.Length ? Covered(x, y) : Covered(y, x);
    }

    /// <summary>
    /// The built-in decision for a new memory against the user's current memories of the same kind: merge into a
    /// near-duplicate, or (for a fact) close the current facts about the same subject that say something else.
    /// </summary>
    public static MemoryDecision Decide(MemoryItem memory, IReadOnlyList<MemoryItem> current)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(current);
        // A near-duplicate that states another value (a place, a number, a date, a name: "I live in Oslo" after "I live
        // in Lisbon") is newer knowledge, not the same memory: it closes the older one instead of merging into it.
        var changed = memory.Kind == MemoryKind.Conversation ? [] : current
            .Where(c => c.Kind == memory.Kind && c.ValidTo is null && c.ValidFrom <= memory.ValidFrom && ChangesValue(c.Content, memory.Content))
            .Select(c => c.Id)
            .ToHashSet(StringComparer.Ordinal);
        var duplicate = current
            .Where(c => c.Kind == memory.Kind && c.ValidTo is null && !changed.Contains(c.Id))
            .Select(c => (Memory: c, Similarity: Similarity(c.Content, memory.Content)))
            .Where(x => x.Similarity >= DuplicateSimilarity)
            .OrderByDescending(x => x.Similarity).ThenByDescending(x => x.Memory.UpdatedAt)
            .Select(x => x.Memory).FirstOrDefault();
        if (duplicate is not null)
        {
            // The fuller wording wins; the memory keeps its identity, sources and history.
            var content = memory.Content.Length > duplicate.Content.Length ? memory.Content : duplicate.Content;
            return new MemoryDecision(duplicate.Id, content, [], duplicate.Subject);
        }

        if (memory.Kind != MemoryKind.Fact)
        {
            return new MemoryDecision(null, null, [.. changed], memory.Subject);
        }

        var unit = Unit(memory.Content);
        var facts = current.Where(c => c.Kind == MemoryKind.Fact && c.ValidTo is null && c.Subject is not null).OrderByDescending(c => c.ValidFrom).ToList();
        var subject = memory.Subject ?? Subject(memory.Content);
        if (subject == "it")
        {
            // A pronoun refers to the newest fact whose value is of the same kind (the same unit), else the newest fact.
            subject = (facts.FirstOrDefault(f => unit is not null && Unit(f.Content) == unit) ?? facts.FirstOrDefault())?.Subject;
        }

        if (subject is null)
        {
            return new MemoryDecision(null, null, [.. changed], null);
        }

        var contradicted = facts
            .Where(f => SameSubject(f.Subject!, subject) && (unit is null || Unit(f.Content) is not { } u || u == unit))
            .Where(f => f.ValidFrom <= memory.ValidFrom)
            .Select(f => f.Id)
            .Union(changed)
            .ToList();
        return new MemoryDecision(null, null, contradicted, subject);
    }

    /// <summary>
    /// The values a text states: numbers (with their unit: <c>82c</c>, <c>2024</c>), month and weekday names, and
    /// names (capitalized words that do not start a sentence: places, people), lower case.
    /// </summary>
    public static HashSet<string> Values(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new HashSet<string>(StringComparer.Ordinal);
        var sentenceStart = true;
        var word = new StringBuilder();
        void Take()
        {
            if (word.Length == 0)
            {
                return;
            }

            var raw = word.ToString().TrimEnd('.', ',');
            var lower = raw.ToLowerInvariant();
            var capitalized = raw.Length > 0 && char.IsUpper(raw[0]);
            if (raw.Any(char.IsDigit) || (capitalized && Calendar.Contains(lower)) || (!sentenceStart && capitalized && lower is not ("i" or "i'm" or "i've" or "i'd" or "i'll")))
            {
                values.Add(lower);
            }

            sentenceStart = false;
            word.Clear();
        }

        foreach (var ch in text)
        {
            if (char.IsLetterOrDigit(ch) || ch == '%' || (ch is '.' or ',' && word.Length > 0 && char.IsDigit(word[^1])) || (ch == '\'' && word.Length > 0))
            {
                word.Append(ch);
                continue;
            }

            Take();
            if (ch is '.' or '!' or '?' or ':' or ';' or '\n' or '"')
            {
                sentenceStart = true;
            }
        }

        Take();
        return values;
    }

    /// <summary>
    /// True when <paramref name="newer"/> restates <paramref name="older"/> with another value: the words around the
    /// values are the same memory (their overlap is at least <see cref="DuplicateSimilarity"/>), and each states a value
    /// the other does not ("I live in Lisbon" and "I live in Oslo"; "the meeting is on Monday" and "… on Tuesday").
    /// A restatement that only adds a value ("I live in Oslo, Norway") or none changes nothing and still merges.
    /// </summary>
    public static bool ChangesValue(string older, string newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        var oldValues = Values(older);
        var newValues = Values(newer);
        if (!oldValues.Except(newValues).Any() || !newValues.Except(oldValues).Any())
        {
            return false;
        }

        var oldRest = Words(older);
        var newRest = Words(newer);
        oldRest.ExceptWith(oldValues.Select(Stem));
        oldRest.ExceptWith(oldValues);
        newRest.ExceptWith(newValues.Select(Stem));
        newRest.ExceptWith(newValues);
        if (oldRest.Count == 0 || newRest.Count == 0)
        {
            return false;
        }

        var common = oldRest.Count(newRest.Contains);
        return (double)common / (oldRest.Count + newRest.Count - common) >= DuplicateSimilarity;
    }

    private static IEnumerable<string> Tokens(string text)
    {
        var word = new StringBuilder();
        foreach (var ch in text)
        {
            if (char.IsLetterOrDigit(ch) || ch == '%')
            {
                word.Append(char.ToLowerInvariant(ch));
            }
            else if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }

    private static string Stem(string word)
    {
        foreach (var suffix in (string[])["ing", "ed", "es", "s"])
        {
            if (word.Length > suffix.Length + 2 && word.EndsWith(suffix, StringComparison.Ordinal) && !char.IsDigit(word[0]))
            {
                return word[..^suffix.Length];
            }
        }

        return word.ToString(CultureInfo.InvariantCulture);
    }
}
