using System.Text.RegularExpressions;
using Continuum.Context;
using Continuum.Sessions;

namespace Continuum.Handoffs;

/// <summary>
/// Picks a draft handoff out of a session's own words without a model: decisions, achievements, insights,
/// blockers and next steps are sentences with the cue phrases people use for them; files and services are the
/// paths and hosts the entity extractor finds. A draft is for a person or agent to correct, never stored as is.
/// </summary>
public sealed partial class HandoffDrafter(IEntityExtractor entities)
{
    private const int MaxItems = 12;

    [GeneratedRegex(@"\b(we decided|decided to|decision:|we'?ll go with|let'?s go with|going with|we chose|chose to|agreed to|we will use|we'?ll use|settled on|opted for)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DecisionCue();

    [GeneratedRegex(@"\b(fixed|deployed|done|completed|finished|implemented|shipped|merged|resolved|works now|is working|now works|set up|created|added|built|migrated|released)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AchievementCue();

    [GeneratedRegex(@"\b(learned|lesson|turns out|it turns out|insight|the cause was|root cause|caused by|because|note that|gotcha|tip:|always|never)\b", RegexOptions.IgnoreCase)]
    private static partial Regex InsightCue();

    [GeneratedRegex(@"\b(next step|next,|todo|to do:|still need|need to|needs to|we should|should also|remaining|follow up|follow-up|tomorrow|later we|then we)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NextCue();

    [GeneratedRegex(@"\b(error|failed|failing|fails|blocked|blocker|can'?t|cannot|crash(es|ed)?|timeout|timed out|broken|exception)\b", RegexOptions.IgnoreCase)]
    private static partial Regex BlockerCue();

    [GeneratedRegex(@"\b(urgent|asap|critical|blocking|must|first thing|immediately)\b", RegexOptions.IgnoreCase)]
    private static partial Regex HighCue();

    [GeneratedRegex(@"\b(maybe|eventually|someday|nice to have|later|low priority|if time)\b", RegexOptions.IgnoreCase)]
    private static partial Regex LowCue();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z0-9""'(])|\n+")]
    private static partial Regex SentenceBreak();

    [GeneratedRegex(@"\b(because|since|so that|to avoid|as)\b\s+(?<why>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex Reason();

    /// <summary>The draft for <paramref name="session"/> from its events (oldest first) and summaries.</summary>
    public Handoff Draft(Session session, string project, IReadOnlyList<SessionEvent> events, IReadOnlyList<Summary> summaries, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(summaries);
        var texts = summaries.Select(s => (Role: "summary", s.Content))
            .Concat(events.Where(e => e.Type == EventType.Message && !string.IsNullOrWhiteSpace(e.Content)).Select(e => (Role: e.Role, e.Content)))
            .ToList();

        var decisions = new List<HandoffDecision>();
        var achievements = new List<string>();
        var insights = new List<string>();
        var next = new List<NextStep>();
        var blockers = new List<HandoffBlocker>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (role, text) in texts)
        {
            foreach (var raw in SentenceBreak().Split(text))
            {
                var sentence = Clean(raw);
                if (sentence.Length < 12 || sentence.EndsWith('?') || !seen.Add(TaskMatcher.Key(sentence)))
                {
                    continue;
                }

                if (DecisionCue().IsMatch(sentence))
                {
                    var why = Reason().Match(sentence);
                    decisions.Add(why.Success
                        ? new HandoffDecision(sentence[..why.Index].TrimEnd(' ', ',', ';'), why.Groups["why"].Value.TrimEnd('.'))
                        : new HandoffDecision(sentence));
                }
                else if (NextCue().IsMatch(sentence))
                {
                    next.Add(new NextStep(sentence, HighCue().IsMatch(sentence) ? "high" : LowCue().IsMatch(sentence) ? "low" : "medium"));
                }
                else if (BlockerCue().IsMatch(sentence) && role != "summary")
                {
                    blockers.Add(new HandoffBlocker(sentence));
                }
                else if (AchievementCue().IsMatch(sentence) && role is "assistant" or "summary" or "tool")
                {
                    achievements.Add(sentence);
                }
                else if (InsightCue().IsMatch(sentence))
                {
                    insights.Add(sentence);
                }
            }
        }

        // A blocker followed by an achievement that names the same thing is taken as solved by it.
        var solved = blockers.Select(b => achievements.FirstOrDefault(a => TaskMatcher.Achieves(b.Blocker, a)) is { } fix ? b with { Solution = fix } : b).ToList();

        var found = texts.SelectMany(t => entities.Extract(t.Item2)).ToList();
        var files = found.Where(e => e.Kind == "path").Select(e => e.Name).Distinct(StringComparer.Ordinal).Take(MaxItems * 2).ToList();
        var services = found.Where(e => e.Kind is "host" or "service" or "url").Select(e => e.Name).Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxItems).ToList();
        var firstUser = texts.FirstOrDefault(t => t.Role == "user").Item2;
        return new Handoff
        {
            Project = project,
            SessionId = session.Id,
            Author = session.AgentId ?? session.Interface,
            Goal = session.Title ?? (firstUser is null ? null : FirstSentence(firstUser)),
            Achievements = Last(achievements),
            Decisions = Last(decisions),
            Insights = Last(insights),
            Blockers = Last(solved),
            NextSteps = Last(next),
            FilesModified = files,
            Services = services,
            Notes = summaries.Count > 0 ? Clean(summaries[^1].Content) : null,
            StartedAt = session.CreatedAt,
            EndedAt = events.Count > 0 ? events[^1].CreatedAt : now,
        };
    }

    // The latest items matter most in a handoff: keep the last ones when there are many.
    private static List<T> Last<T>(List<T> items) => items.Count <= MaxItems ? items : items[^MaxItems..];

    private static string FirstSentence(string text)
    {
        var first = Clean(SentenceBreak().Split(text)[0]);
        return first.Length <= 200 ? first : first[..200].TrimEnd() + "…";
    }

    private static string Clean(string text)
    {
        var trimmed = text.Trim().TrimStart('-', '*', '•', ' ');
        return trimmed.Length <= 300 ? trimmed : trimmed[..300].TrimEnd() + "…";
    }
}
