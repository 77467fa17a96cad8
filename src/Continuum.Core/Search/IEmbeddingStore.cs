namespace Continuum.Search;

/// <summary>An item waiting for its vector.</summary>
/// <param name="TenantId">Its tenant.</param>
/// <param name="Kind"><c>event</c>, <c>summary</c> or <c>memory</c>.</param>
/// <param name="Row">Its storage row.</param>
/// <param name="UserId">Its user.</param>
/// <param name="Text">The text to embed (an event's: its speaker's name, if any, and what was said).</param>
/// <param name="Previous">For an event, the turn before it in its session (the same form), if any: with it the event
/// gets a second, neighbourhood vector (kind <c>window</c>, the event's row) embedding the turn in the context it answers.</param>
public sealed record PendingEmbedding(string TenantId, string Kind, long Row, string? UserId, string Text, string? Previous = null);

/// <summary>Vectors of events, summaries and memories, kept beside them.</summary>
public interface IEmbeddingStore
{
    /// <summary>
    /// The next items without a vector of <paramref name="model"/>, oldest first. Events are read past a stored
    /// position (they do not change); summaries and memories, which can be rewritten, are read by what lacks a vector.
    /// </summary>
    Task<IReadOnlyList<PendingEmbedding>> PendingAsync(string model, int limit, CancellationToken cancellationToken);

    /// <summary>Stores vectors and moves the events' position past <paramref name="items"/>, in one transaction.</summary>
    Task SaveAsync(string model, IReadOnlyList<(PendingEmbedding Item, float[]? Vector)> items, CancellationToken cancellationToken);

    /// <summary>How many items still wait for a vector (an estimate for events: past the position).</summary>
    Task<long> BacklogAsync(string model, CancellationToken cancellationToken);

    /// <summary>The vectors of one user's items (or one session's) of <paramref name="model"/>.</summary>
    Task<IReadOnlyList<(string Kind, long Row, float[] Vector)>> VectorsAsync(string tenantId, SearchScope scope, string model, CancellationToken cancellationToken);

    /// <summary>
    /// The vectors of <paramref name="model"/> of one user's items of the given kinds (<c>event</c>, <c>window</c>,
    /// <c>summary</c>, <c>memory</c>) whose row is past <paramref name="afterRow"/>: a cache of a user's turn vectors
    /// reads only what is new since it last looked.
    /// </summary>
    Task<IReadOnlyList<(string Kind, long Row, float[] Vector)>> UserVectorsAsync(string tenantId, string userId, string model, IReadOnlyList<string> kinds, long afterRow, CancellationToken cancellationToken);

    /// <summary>The items of the given rows, as search candidates.</summary>
    Task<IReadOnlyList<SearchCandidate>> ItemsAsync(string tenantId, IReadOnlyList<(string Kind, long Row)> rows, CancellationToken cancellationToken);
}
