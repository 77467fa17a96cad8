using System.Globalization;
using System.Text;
using System.Text.Json;
using Continuum.Tokens;

namespace Continuum.Handoffs;

/// <summary>Renders handoffs in the handoff document's layout and builds the briefing within a token budget.</summary>
public static class HandoffMarkdown
{
    /// <summary>The handoff document: quick summary, what was accomplished, state, pending items, learnings, decisions, code.</summary>
    public static string Render(Handoff handoff)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        var at = handoff.EndedAt ?? handoff.CreatedAt;
        var md = new StringBuilder();
        md.Append("# Session Handoff - ").Append(Date(at)).Append('\n');
        md.Append("\n_Project ").Append(handoff.Project).Append(", handoff ").Append(handoff.Id);
        if (handoff.SessionId is { } session)
        {
            md.Append(", session ").Append(session);
        }

        if (handoff.Author is { } author)
        {
            md.Append(", by ").Append(author);
        }

        md.Append(handoff.StartedAt is { } started ? $", {Time(started)} to {Time(at)}" : $", {Time(at)}").Append("._\n");

        Section(md, "Quick Summary", Join(handoff.Goal, handoff.Notes) is { Length: > 0 } summary ? [summary] : [], numbered: false, plain: true);
        Section(md, "What Was Accomplished", handoff.Achievements.Select(a => "✅ " + a), numbered: true);

        var state = new List<string>();
        if (handoff.Services.Count > 0)
        {
            state.Add("**Services:** " + string.Join(", ", handoff.Services));
        }

        state.AddRange(handoff.Architecture.Select(a => $"**{a.Key}:** {Compact(a.Value)}"));
        if (handoff.Metrics is { ValueKind: JsonValueKind.Object } metrics)
        {
            state.AddRange(metrics.EnumerateObject().Select(m => $"**{m.Name}:** {Compact(m.Value)}"));
        }

        Section(md, "Current State", state, numbered: false);
        Section(md, "Pending Items", handoff.NextSteps.OrderBy(s => Priorities.Rank(s.Priority)).Select(s => $"[{s.Priority}] {s.Task}"), numbered: true);
        Section(md, "Key Learnings", handoff.Insights.Concat(handoff.Blockers.Select(Blocker)), numbered: false);
        Section(md, "Important Context for Next Session", handoff.Notes is { Length: > 0 } notes ? [notes] : [], numbered: false, plain: true);
        Section(md, "Decisions Made This Session", handoff.Decisions.Select(Decision), numbered: true);
        Section(md, "Code Locations", handoff.CodeCreated, numbered: false);
        Section(md, "Files Modified", handoff.FilesModified, numbered: false);
        Section(md, "Next Session Should Start With", handoff.NextSteps.OrderBy(s => Priorities.Rank(s.Priority)).Take(5).Select(s => s.Task), numbered: true);
        return md.ToString();
    }

    /// <summary>
    /// The briefing: what the project is, open work by priority, the state, recent decisions, lessons and the last
    /// handoff, in that order of importance. Lines are added while they fit in <paramref name="budget"/> tokens;
    /// what does not fit is counted, never cut mid-line.
    /// </summary>
    public static Briefing Brief(KnowledgeBase knowledge, Handoff? first, Handoff? last, int budget, ITokenCounter tokens)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        ArgumentNullException.ThrowIfNull(tokens);
        var writer = new BudgetWriter(budget, tokens);
        writer.Line($"# Briefing: {knowledge.Project}", required: true);
        if (knowledge.TotalHandoffs == 0)
        {
            writer.Line("\nNo handoffs yet: this is the project's first session. Hand off at the end so the next one starts here.", required: true);
            return writer.Result(knowledge.Project, knowledge.AsOf);
        }

        writer.Line($"\n{knowledge.TotalHandoffs} handoffs, {knowledge.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} hours, last on {Time(knowledge.LastUpdated ?? knowledge.AsOf)}" +
            (last?.Author is { } author ? $" by {author}" : "") + ".", required: true);
        writer.Keep();
        if (first?.Goal is { } purpose)
        {
            writer.Line($"Project goal (first session): {purpose}");
        }

        if (last?.Goal is { } goal && goal != first?.Goal)
        {
            writer.Line($"Last session's goal: {goal}");
        }

        var counts = knowledge.Counts;
        var open = knowledge.PendingWork.Where(p => p.Status == PendingStatus.Open).OrderBy(p => Priorities.Rank(p.Priority)).ThenBy(p => p.OpenedAt).ToList();
        writer.Section("Open work", open.Select(p => $"- [{p.Priority}] {p.Task} ({p.Id}, since {Date(p.OpenedAt)})"), counts?.OpenWork);

        if (last?.Notes is { Length: > 0 } notes)
        {
            writer.Section("Notes from the last session", [notes]);
        }

        writer.Section("State", knowledge.Architecture.Select(a => $"- **{a.Key}:** {Compact(a.Value)}"), counts?.Architecture);
        var newest = knowledge.Decisions.OrderByDescending(d => d.Date).ThenByDescending(d => d.Id.Length).ThenByDescending(d => d.Id, StringComparer.Ordinal);
        writer.Section("Recent decisions", newest.Select(d =>
            $"- {Date(d.Date)} {d.Decision}" + (d.Reasoning is { } r ? $" (why: {r})" : "") + (d.Impact is { } i ? $" (impact: {i})" : "") + $" [{d.Id}]"), counts?.Decisions);
        writer.Section("Lessons and insights", knowledge.Insights.OrderByDescending(i => i.Mentions).Select(i => $"- {i.Text}" + (i.Mentions > 1 ? $" (x{i.Mentions})" : "")), counts?.Insights);
        if (last is not null)
        {
            var lines = new List<string>();
            lines.AddRange(last.Achievements.Select(a => "- done: " + a));
            lines.AddRange(last.Blockers.Select(b => "- blocker: " + Blocker(b)));
            lines.AddRange(last.Services.Select(s => "- service: " + s));
            writer.Section($"Last handoff ({last.Id}, {Date(last.EndedAt ?? last.CreatedAt)})", lines);
        }

        var done = knowledge.PendingWork.Where(p => p.Status == PendingStatus.Done).OrderByDescending(p => p.ClosedAt);
        writer.Section("Recently done", done.Select(p => $"- {p.Task} ({p.Id}, {Date(p.ClosedAt ?? knowledge.AsOf)})"), counts?.DoneWork);
        writer.Section("Code", knowledge.Code.OrderByDescending(c => c.UpdatedAt).Select(c => $"- {c.Path}" + (c.Description is { } d ? $" - {d}" : "")), counts?.Code);
        return writer.Result(knowledge.Project, knowledge.AsOf);
    }

    private static string Blocker(HandoffBlocker b) =>
        b.Blocker + (b.Solution is { } s ? $" -> solved: {s}" : " (unsolved)") + (b.Lesson is { } l ? $" -> lesson: {l}" : "");

    private static string Decision(HandoffDecision d) =>
        d.Decision + (d.Reasoning is { } r ? $" ({r})" : "") + (d.Impact is { } i ? $" - impact: {i}" : "");

    private static string Join(string? a, string? b) => string.Join(" ", new[] { a, b }.Where(s => !string.IsNullOrWhiteSpace(s)));

    private static void Section(StringBuilder md, string title, IEnumerable<string> items, bool numbered, bool plain = false)
    {
        var list = items.ToList();
        if (list.Count == 0)
        {
            return;
        }

        md.Append("\n## ").Append(title).Append('\n');
        for (var i = 0; i < list.Count; i++)
        {
            md.Append(plain ? "" : numbered ? $"{i + 1}. " : "- ").Append(list[i]).Append('\n');
        }
    }

    /// <summary>A JSON value on one line: strings bare, the rest as compact JSON.</summary>
    internal static string Compact(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Writes lines while they fit in the budget.</summary>
    private sealed class BudgetWriter(int budget, ITokenCounter tokens)
    {
        private readonly StringBuilder _md = new();
        private int _used;
        private int _omitted;
        private int _required;

        public bool Line(string line, bool required = false)
        {
            var cost = tokens.Count(line + "\n");
            if (!required && _used + cost > budget)
            {
                _omitted++;
                return false;
            }

            _md.Append(line).Append('\n');
            _used += cost;
            return true;
        }

        /// <summary>A heading and as many of its items as fit, with a note of how many did not.</summary>
        public void Section(string title, IEnumerable<string> items, int? total = null)
        {
            var list = items as IReadOnlyList<string> ?? [.. items];
            var all = Math.Max(total ?? list.Count, list.Count);
            if (list.Count == 0)
            {
                _omitted += all;
                return;
            }

            // Room for the heading, one item and the "more" note, or the section is left out whole.
            var heading = $"\n## {title}";
            var more = $"- (and {all} more)";
            if (_used + tokens.Count(heading + "\n") + tokens.Count(list[0] + "\n") > budget)
            {
                _omitted += all;
                return;
            }

            Line(heading, required: true);
            var reserve = tokens.Count(more + "\n");
            var written = 0;
            foreach (var item in list)
            {
                var last = written == all - 1;
                var cost = tokens.Count(item + "\n");
                if (_used + cost + (last ? 0 : reserve) > budget)
                {
                    break;
                }

                _md.Append(item).Append('\n');
                _used += cost;
                written++;
            }

            if (written < all)
            {
                _omitted += all - written;
                Line($"- (and {all - written} more)", required: true);
            }
        }

        /// <summary>What is written so far is never trimmed.</summary>
        public void Keep() => _required = _md.Length;

        public Briefing Result(string project, DateTimeOffset asOf)
        {
            var markdown = _md.ToString();
            var count = tokens.Count(markdown);

            // Lines were counted one by one; should the whole count higher, trailing lines go until it fits.
            while (count > budget && markdown.LastIndexOf('\n', markdown.Length - 2) is var cut and > 0 && cut > _required)
            {
                markdown = markdown[..(cut + 1)];
                _omitted++;
                count = tokens.Count(markdown);
            }

            return new Briefing(project, markdown, count, budget, tokens.Name, _omitted, asOf);
        }
    }
}
