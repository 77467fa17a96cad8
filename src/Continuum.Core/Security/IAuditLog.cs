using Continuum.Storage;

namespace Continuum.Security;

/// <summary>
/// The audit log of admin actions: keys created and revoked, users forgotten, imports. A record says who acted,
/// when, on what and how many records were touched; it never holds content.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends a record; durable once the task completes.</summary>
    /// <param name="entry">The record.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Lists a tenant's records, newest first, one page at a time.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="limit">The page size.</param>
    /// <param name="cursor">The cursor of the page to read, or null for the first.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Page<AuditEntry>> ListAsync(string tenantId, int limit, string? cursor, CancellationToken cancellationToken);
}

/// <summary>One audit record.</summary>
/// <param name="TenantId">The tenant the action touched.</param>
/// <param name="Actor">Who asked: a key's id (<c>key_…</c>), or <c>local</c> for an in-process command or a keyless loopback call.</param>
/// <param name="Action">What was done, e.g. <c>key.created</c>, <c>key.revoked</c>, <c>user.forgotten</c>, <c>import</c>.</param>
/// <param name="Target">The id acted on (a key, a user, a session), or null.</param>
/// <param name="Counts">How many records of each kind were touched, e.g. <c>events: 1200</c>; never content.</param>
/// <param name="At">When.</param>
public sealed record AuditEntry(
    string TenantId,
    string Actor,
    string Action,
    string? Target,
    IReadOnlyDictionary<string, long> Counts,
    DateTimeOffset At)
{
    /// <summary>The record's id (<c>aud_…</c>), assigned by the log; empty before it is recorded.</summary>
    public string Id { get; init; } = "";
}
