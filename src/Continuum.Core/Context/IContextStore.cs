using Continuum.Sessions;
using Continuum.Storage;

namespace Continuum.Context;

/// <summary>Summaries, entity counts and what the context builder and the compressor read.</summary>
public interface IContextStore
{
    /// <summary>The session's limits and up to <paramref name="maxEvents"/> events not yet summarized; null when the session does not exist.</summary>
    Task<CompressionWork?> GetCompressionWorkAsync(string tenantId, string sessionId, int maxEvents, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a level-0 summary of the events <see cref="Summary.FromSeq"/>..<see cref="Summary.ToSeq"/> and marks them
    /// covered, in one transaction, only if the session's summarized seq is still <paramref name="expectedSummarizedSeq"/>
    /// (so a second compressor cannot fold the same events twice). Returns false when it was not.
    /// </summary>
    Task<bool> SaveSummaryAsync(string tenantId, Summary summary, long expectedSummarizedSeq, long foldedTokens, IReadOnlyList<string> topics, CancellationToken cancellationToken);

    /// <summary>Stores a higher-level summary that covers <paramref name="covered"/>, if none of them is covered yet.</summary>
    Task<bool> SaveStackedSummaryAsync(string tenantId, Summary summary, IReadOnlyList<string> covered, CancellationToken cancellationToken);

    /// <summary>Replaces a summary's text (a model's summary replacing a fallback).</summary>
    Task UpdateSummaryAsync(string tenantId, string summaryId, string content, int tokens, string summarizer, CancellationToken cancellationToken);

    /// <summary>The session's current (uncovered) summaries, oldest first.</summary>
    Task<IReadOnlyList<Summary>> GetActiveSummariesAsync(string tenantId, string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> of the session's current summaries in seq order (then by id), strictly after
    /// <paramref name="after"/> (first seq and id) when given.
    /// </summary>
    Task<IReadOnlyList<Summary>> ListActiveSummariesAsync(string tenantId, string sessionId, int limit, ListCursor? after, CancellationToken cancellationToken);

    /// <summary>Summaries written by a fallback, for a model to redo; at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<(string TenantId, Summary Summary)>> GetFallbackSummariesAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Events with seq above <paramref name="afterSeq"/> and below <paramref name="beforeSeq"/>, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<SessionEvent>> GetRecentEventsAsync(string tenantId, string sessionId, long afterSeq, long beforeSeq, int limit, CancellationToken cancellationToken);

    /// <summary>Events with seq in the range, oldest first.</summary>
    Task<IReadOnlyList<SessionEvent>> GetEventRangeAsync(string tenantId, string sessionId, long fromSeq, long toSeq, CancellationToken cancellationToken);

    /// <summary>The last seq folded into a summary and the last seq hidden by a clear.</summary>
    Task<(long SummarizedSeq, long ClearedSeq)> GetWatermarksAsync(string tenantId, string sessionId, CancellationToken cancellationToken);

    /// <summary>Counts entities a model found in the events up to <paramref name="atSeq"/> for the session and its user.</summary>
    Task AddEntitiesAsync(string tenantId, string sessionId, IReadOnlyList<Context.EntityMention> mentions, long atSeq, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The session's most mentioned entities.</summary>
    Task<IReadOnlyList<EntityCount>> GetSessionEntitiesAsync(string tenantId, string sessionId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> of the user's entities, most recently seen first (then by key, descending), each
    /// with its key, strictly after <paramref name="after"/> (last seen ticks and key) when given.
    /// </summary>
    Task<IReadOnlyList<(UserEntity Entity, string Key)>> GetUserEntitiesAsync(string tenantId, string userId, int limit, ListCursor? after, CancellationToken cancellationToken);

    /// <summary>Hides the session's messages so far from its context; summaries stay. Returns the cleared seq, or null when the session does not exist.</summary>
    Task<long?> ClearAsync(string tenantId, string sessionId, CancellationToken cancellationToken);

    /// <summary>Sessions whose unsummarized tokens exceed <paramref name="ratio"/> of their token limit.</summary>
    Task<IReadOnlyList<(string TenantId, string SessionId)>> GetSessionsOverThresholdAsync(double ratio, int limit, CancellationToken cancellationToken);
}
