using Continuum.Tenancy;
using Continuum.Validation;

namespace Continuum.Agents;

/// <inheritdoc />
public sealed class AgentStreamSource(IAgentStore store, ITenantContext tenant) : IAgentStreamSource
{
    /// <inheritdoc />
    public Task<IReadOnlyList<SharedEntry>> SharedChangesAsync(string ns, long after, int limit, CancellationToken cancellationToken = default) =>
        store.SharedAfterAsync(tenant.TenantId, AgentNamespace.Validate(ns), Math.Max(0, after), InputValidator.Range(limit, 1, 1000, "limit"), cancellationToken);

    /// <inheritdoc />
    public async Task<(long Inbox, long Shared)> StreamEndAsync(CancellationToken cancellationToken = default) =>
        (await store.LastInboxPositionAsync(tenant.TenantId, cancellationToken).ConfigureAwait(false),
         await store.LastSharedPositionAsync(tenant.TenantId, cancellationToken).ConfigureAwait(false));
}
