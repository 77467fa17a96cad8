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

    /// <summary>
    /// Streams every row of <paramref name="scope"/>, kind by kind in <see cref="ExportFormat.Kinds"/> order and each
    /// kind in its key order, from one consistent snapshot, without holding more than a row at a time.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="scope">What to export.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    IAsyncEnumerable<ExportRow> ExportAsync(string tenantId, ExportScope scope, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="rows"/> into the tenant in one transaction; a row whose key is already stored is skipped
    /// (so importing twice changes nothing).
    /// </summary>
    /// <param name="tenantId">The tenant the rows go into.</param>
    /// <param name="rows">The rows.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many rows of each kind were written.</returns>
    Task<IReadOnlyDictionary<string, long>> ImportAsync(string tenantId, IReadOnlyList<ExportRow> rows, CancellationToken cancellationToken);
}
