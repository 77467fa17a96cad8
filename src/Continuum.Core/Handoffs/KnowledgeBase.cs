using System.Text.Json;

namespace Continuum.Handoffs;

/// <summary>A project's accumulated knowledge, built from every handoff (as it is now, or as it was at a time).</summary>
public sealed record KnowledgeBase
{
    /// <summary>The project.</summary>
    public required string Project { get; init; }

    /// <summary>The time it describes (now, or the <c>asOf</c> asked for).</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>Handoffs so far.</summary>
    public int TotalHandoffs { get; init; }

    /// <summary>Hours worked, from the handoffs' start and end times.</summary>
    public double TotalHours { get; init; }

    /// <summary>When the last handoff landed.</summary>
    public DateTimeOffset? LastUpdated { get; init; }

    /// <summary>Every decision, oldest first, with an id (<c>decision-001</c>) and date.</summary>
    public IReadOnlyList<KnowledgeDecision> Decisions { get; init; } = [];

    /// <summary>Insights, best practices and lessons, without duplicates.</summary>
    public IReadOnlyList<KnowledgeInsight> Insights { get; init; } = [];

    /// <summary>Pending and done work, by priority.</summary>
    public IReadOnlyList<PendingWork> PendingWork { get; init; } = [];

    /// <summary>Architecture state: the latest value of each component.</summary>
    public IReadOnlyDictionary<string, JsonElement> Architecture { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Code registry: path to what it is.</summary>
    public IReadOnlyList<CodeEntry> Code { get; init; } = [];

    /// <summary>
    /// How many items each part has in all. A base read for a briefing holds only the top items of each part
    /// (newest decisions, open work by priority, most mentioned insights, latest files); these are the totals.
    /// </summary>
    public KnowledgeCounts? Counts { get; init; }

    /// <summary>
    /// The base from the parts a store read in one snapshot. Without <paramref name="counts"/> (a full read) the
    /// parts are the whole base and are counted here; a briefing read passes the totals it counted.
    /// </summary>
    public static KnowledgeBase Assemble(string project, DateTimeOffset asOf, (int Handoffs, double Hours, DateTimeOffset? Last) totals,
        IReadOnlyList<KnowledgeDecision> decisions, IReadOnlyList<KnowledgeInsight> insights, IReadOnlyList<PendingWork> pending,
        IReadOnlyDictionary<string, JsonElement> architecture, IReadOnlyList<CodeEntry> code, KnowledgeCounts? counts)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        ArgumentNullException.ThrowIfNull(insights);
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(code);
        return new KnowledgeBase
        {
            Project = project,
            AsOf = asOf,
            TotalHandoffs = totals.Handoffs,
            TotalHours = Math.Round(totals.Hours, 2),
            LastUpdated = totals.Last,
            Decisions = decisions,
            Insights = insights,
            PendingWork = pending,
            Architecture = architecture,
            Code = code,
            Counts = counts ?? new KnowledgeCounts(decisions.Count, pending.Count(p => p.Status == PendingStatus.Open), pending.Count(p => p.Status == PendingStatus.Done),
                insights.Count, architecture.Count, code.Count),
        };
    }
}

/// <summary>The number of items in each part of a knowledge base.</summary>
public sealed record KnowledgeCounts(int Decisions, int OpenWork, int DoneWork, int Insights, int Architecture, int Code);
