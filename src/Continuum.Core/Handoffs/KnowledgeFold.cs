using System.Text.Json;

namespace Continuum.Handoffs;

/// <summary>
/// What folding one handoff into its project's knowledge base writes, decided in one place for every store:
/// decisions take the next numbers; insights and lessons are kept once each by their <see cref="TaskMatcher.Key"/>;
/// achievements close the open work they report done; next steps open work under the next numbers unless the same
/// task is already open; architecture and code entries are recorded at the handoff's time. A store reads the next
/// numbers and the open work inside its transaction, calls <see cref="Of"/>, and writes the rows.
/// </summary>
public sealed class KnowledgeFold
{
    private KnowledgeFold(Handoff handoff) => Handoff = handoff;

    /// <summary>The handoff folded.</summary>
    public Handoff Handoff { get; }

    /// <summary>The time the handoff counts at: when its session ended, else when it was stored.</summary>
    public DateTimeOffset At => AtOf(Handoff);

    /// <summary>The hours the handoff's session lasted; 0 when its start or end is unknown.</summary>
    public double Hours => Handoff.StartedAt is { } started && Handoff.EndedAt is { } ended && ended > started ? (ended - started).TotalHours : 0;

    /// <summary>The new decisions, numbered.</summary>
    public IReadOnlyList<KnowledgeDecision> Decisions { get; private init; } = [];

    /// <summary>The insights and lessons mentioned, each once, with their keys.</summary>
    public IReadOnlyList<(string Key, string Text, string Kind)> Insights { get; private init; } = [];

    /// <summary>The open work the handoff closes, as it is after closing.</summary>
    public IReadOnlyList<PendingWork> Closed { get; private init; } = [];

    /// <summary>The work the handoff opens, numbered, with each task's key.</summary>
    public IReadOnlyList<(PendingWork Work, string Key)> Opened { get; private init; } = [];

    /// <summary>The architecture entries recorded.</summary>
    public IReadOnlyList<(string Component, JsonElement Value)> Architecture { get; private init; } = [];

    /// <summary>The code entries recorded (path and description, if any).</summary>
    public IReadOnlyList<(string Path, string? Description)> Code { get; private init; } = [];

    /// <summary>What the handoff's author is told it changed.</summary>
    public HandoffReceipt Receipt => new(Handoff, Decisions, [.. Opened.Select(o => o.Work)], Closed);

    /// <summary>The time <paramref name="handoff"/> counts at: when its session ended, else when it was stored.</summary>
    public static DateTimeOffset AtOf(Handoff handoff)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        return handoff.EndedAt ?? handoff.CreatedAt;
    }

    /// <summary>
    /// The fold of <paramref name="handoff"/> into a base whose next decision and task numbers are
    /// <paramref name="nextDecision"/> and <paramref name="nextTask"/>, and whose work open at the handoff's time is
    /// <paramref name="open"/> (with each task's key); <paramref name="achieves"/> says whether an achievement
    /// reports a task done.
    /// </summary>
    public static KnowledgeFold Of(Handoff handoff, long nextDecision, IReadOnlyList<(PendingWork Work, string Key)> open, long nextTask, Func<string, string, bool> achieves)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(achieves);
        var at = AtOf(handoff);
        var decisions = handoff.Decisions
            .Select((d, i) => new KnowledgeDecision(KnowledgeIds.Decision(nextDecision + i), at, d.Decision, d.Reasoning, d.Impact, "active", handoff.Id))
            .ToList();

        var insights = new List<(string, string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (text, kind) in handoff.Insights.Select(i => (i, "insight"))
            .Concat(handoff.Blockers.Where(b => !string.IsNullOrWhiteSpace(b.Lesson)).Select(b => (b.Lesson!, "lesson"))))
        {
            var key = TaskMatcher.Key(text);
            if (key.Length > 0 && seen.Add(key))
            {
                insights.Add((key, text, kind));
            }
        }

        // Achievements close the open work they report done, then next steps open what is not already open.
        var closed = open.Where(o => handoff.Achievements.Any(a => achieves(o.Work.Task, a)))
            .Select(o => o.Work with { Status = PendingStatus.Done, ClosedAt = at, ClosedBy = handoff.Id })
            .ToList();
        var stillOpen = open.Where(o => !closed.Any(c => c.Id == o.Work.Id)).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var opened = new List<(PendingWork, string)>();
        var number = nextTask;
        foreach (var step in handoff.NextSteps)
        {
            var key = TaskMatcher.Key(step.Task);
            if (key.Length == 0 || !stillOpen.Add(key))
            {
                continue;
            }

            opened.Add((new PendingWork(KnowledgeIds.Task(number), step.Task, step.Priority, PendingStatus.Open, at, null, null), key));
            number++;
        }

        return new KnowledgeFold(handoff)
        {
            Decisions = decisions,
            Insights = insights,
            Closed = closed,
            Opened = opened,
            Architecture = [.. handoff.Architecture.Select(a => (a.Key, a.Value))],
            Code = [.. CodeEntry.Of(handoff)],
        };
    }
}
