using Continuum.Model;
using Continuum.Storage;

namespace Continuum.Services;

/// <summary>The in-process <see cref="IStatsService"/>.</summary>
public sealed class StatsService(ISessionStore sessions, ITenantContext tenant) : IStatsService
{
    /// <inheritdoc />
    public Task<SessionStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        sessions.GetStatsAsync(tenant.TenantId, cancellationToken);
}
