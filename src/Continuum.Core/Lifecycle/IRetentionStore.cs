using Continuum.Security;

namespace Continuum.Lifecycle;

/// <summary>
/// What retention needs from a store. Every delete is one bounded transaction of at most <c>limit</c> rows of its
/// kind (the caller calls again until a call removes nothing), and takes the rows' full-text entries and embeddings
/// with them.
/// </summary>
public interface IRetentionStore
{
    /// <summary>Every tenant that holds users, sessions or a stored policy.</summary>
    Task<IReadOnlyList<string>> TenantsAsync(CancellationToken cancellationToken);

    /// <summary>Every stored policy, by tenant.</summary>
    Task<IReadOnlyDictionary<string, RetentionPolicy>> PoliciesAsync(CancellationToken cancellationToken);

    /// <summary>The tenant's stored policy, or null.</summary>
    Task<RetentionPolicy?> GetPolicyAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Stores the tenant's policy (null removes it), with <paramref name="audit"/> in the same transaction.</summary>
    Task SetPolicyAsync(string tenantId, RetentionPolicy? policy, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> of the tenant's events created before <paramref name="before"/>, oldest first.</summary>
    /// <returns>How many records of each kind were removed (<c>events</c>, <c>embeddings</c>).</returns>
    Task<IReadOnlyDictionary<string, long>> DeleteEventsAsync(string tenantId, DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> of the tenant's summaries created before <paramref name="before"/>.</summary>
    /// <returns>How many records of each kind were removed (<c>summaries</c>, <c>embeddings</c>).</returns>
    Task<IReadOnlyDictionary<string, long>> DeleteSummariesAsync(string tenantId, DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> of the tenant's memories last updated before <paramref name="before"/>.</summary>
    /// <returns>How many records of each kind were removed (<c>memories</c>, <c>embeddings</c>).</returns>
    Task<IReadOnlyDictionary<string, long>> DeleteMemoriesAsync(string tenantId, DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// One step of deleting the tenant's closed sessions last active before <paramref name="lastActiveBefore"/>: up to
    /// <paramref name="limit"/> of their events; once they have none left, up to <paramref name="limit"/> sessions whole
    /// (summaries, entities, links, embeddings, the session row, and their memories when <paramref name="withMemories"/>).
    /// </summary>
    /// <returns>How many records of each kind were removed (<c>events</c>, <c>sessions</c>, <c>summaries</c>, <c>memories</c>, <c>embeddings</c>).</returns>
    Task<IReadOnlyDictionary<string, long>> DeleteClosedSessionsAsync(string tenantId, DateTimeOffset lastActiveBefore, bool withMemories, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Adds what a run removed to the tenant's totals, stamps its time, and writes <paramref name="audit"/> (when not
    /// null) in the same transaction.
    /// </summary>
    Task RecordRunAsync(string tenantId, IReadOnlyDictionary<string, long> removed, DateTimeOffset at, AuditEntry? audit, CancellationToken cancellationToken);

    /// <summary>What retention has removed from the tenant so far.</summary>
    Task<RetentionTotals> TotalsAsync(string tenantId, CancellationToken cancellationToken);
}
