using Continuum.Security;

namespace Continuum.Lifecycle;

/// <summary>
/// What the data lifecycle needs from a store: erasing a user whole, streaming every record of a scope out, writing
/// records back in batches and removing what retention expired. Each write is one transaction.
/// </summary>
public interface ILifecycleStore
{
    /// <summary>
    /// Erases everything about a user in one transaction (identities, link codes, sessions and what hangs off them,
    /// memories, entities, embeddings, full-text rows, shared-memory entries their sessions wrote, hub messages and
    /// registrations of their sessions; references to their sessions in handoffs are dropped), writes the audit record
    /// <paramref name="audit"/> makes of the counts in the same transaction, and then makes sure the erased text does
    /// not linger in the store's files where the store can (SQLite: secure delete and a checkpoint).
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="userId">The canonical user (not a merged id).</param>
    /// <param name="audit">Makes the audit record from the counts of what was erased.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many records of each kind were erased.</returns>
    Task<IReadOnlyDictionary<string, long>> ForgetUserAsync(string tenantId, string userId, Func<IReadOnlyDictionary<string, long>, AuditEntry> audit, CancellationToken cancellationToken);
}
