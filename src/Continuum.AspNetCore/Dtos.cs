using Continuum.Context;
using Continuum.Sessions;
using Continuum.Stats;

namespace Continuum.AspNetCore;

/// <summary>A page of sessions.</summary>
/// <param name="Sessions">The sessions, newest first.</param>
/// <param name="Next">The cursor of the next page, or null.</param>
public sealed record SessionList(IReadOnlyList<Session> Sessions, string? Next);

/// <summary>A page of events.</summary>
/// <param name="Events">The events, in seq order.</param>
/// <param name="Next">The <c>after</c> for the next page, or null.</param>
public sealed record EventList(IReadOnlyList<SessionEvent> Events, string? Next);

/// <summary>Events to append together.</summary>
/// <param name="Events">The events.</param>
public sealed record EventBatch(IReadOnlyList<NewEvent>? Events);

/// <summary>A page of a session's links.</summary>
/// <param name="Links">The links from and to the session, oldest first.</param>
/// <param name="Next">The cursor of the next page, or null on the last.</param>
public sealed record LinkList(IReadOnlyList<SessionLink> Links, string? Next);

/// <summary>Which user to merge into the survivor.</summary>
/// <param name="UserId">The user that stops existing on its own.</param>
public sealed record MergeRequest(string? UserId);

/// <summary>The server's statistics.</summary>
/// <param name="Store">Which store serves the data.</param>
/// <param name="Sessions">Totals over sessions.</param>
public sealed record StatsResponse(string Store, SessionStats Sessions)
{
    /// <summary>This node's hot-session cache, when the store keeps one (PostgreSQL).</summary>
    public Continuum.Sessions.SessionCacheStats? SessionCache { get; init; }

    /// <summary>This node's group commits of appends, when the store reports them (PostgreSQL).</summary>
    public Continuum.Sessions.AppendGroupStats? AppendGroups { get; init; }

    /// <summary>The embedding index: the model, how many events still wait for vectors, and this node's indexing rate.</summary>
    public Continuum.Search.SearchIndexStats? Search { get; init; }

    /// <summary>What retention has removed from the tenant (events, sessions, summaries, memories) and when it last ran.</summary>
    public Continuum.Lifecycle.RetentionTotals? Retention { get; init; }
}

/// <summary>The result of a forced summarization.</summary>
/// <param name="Written">How many summaries were written.</param>
/// <param name="Summaries">The session's current summaries.</param>
public sealed record SummarizeResult(int Written, IReadOnlyList<Summary> Summaries);

/// <summary>A page of a session's summaries.</summary>
/// <param name="Summaries">The current summaries, oldest first.</param>
/// <param name="Next">The cursor of the next page, or null on the last.</param>
public sealed record SummaryList(IReadOnlyList<Summary> Summaries, string? Next);

/// <summary>A page of a user's entities.</summary>
/// <param name="Entities">Most recently seen first.</param>
/// <param name="Next">The cursor of the next page, or null on the last.</param>
public sealed record EntityList(IReadOnlyList<UserEntity> Entities, string? Next);
