using Continuum.Storage;

namespace Continuum.Agents;

/// <summary>Shared memory: a versioned blackboard of keys per namespace, with compare-and-set, tags and expiry.</summary>
public interface ISharedMemory
{
    /// <summary>
    /// Writes the next version of a key; created when the key had no live value. A stale
    /// <see cref="SharedWrite.ExpectedVersion"/> is a conflict and writes nothing.
    /// </summary>
    Task<Upserted<SharedEntry>> SetSharedAsync(string ns, string key, SharedWrite write, CancellationToken cancellationToken = default);

    /// <summary>The latest live version of a key, or a not-found error.</summary>
    Task<SharedEntry> GetSharedAsync(string ns, string key, CancellationToken cancellationToken = default);

    /// <summary>One page of a key's kept versions, oldest first (a deletion is a version too); a not-found error for a key never written.</summary>
    Task<Page<SharedEntry>> GetSharedVersionsAsync(string ns, string key, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>One page of a namespace's latest live entries, by key, filtered by glob pattern, all of some tags, and author session.</summary>
    Task<Page<SharedEntry>> SearchSharedAsync(string ns, SharedQuery query, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key (a deletion is a version too); false when it had no live value.</summary>
    Task<bool> DeleteSharedAsync(string ns, string key, string? sessionId = null, CancellationToken cancellationToken = default);

    /// <summary>Shared memory in numbers.</summary>
    Task<SharedStats> GetSharedStatsAsync(CancellationToken cancellationToken = default);
}
