using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Tenancy;

namespace Continuum.Stats;

/// <summary>The in-process <see cref="IStatsService"/>.</summary>
public sealed class StatsService(ISessionStore sessions, ITenantContext tenant) : IStatsService
{
    /// <inheritdoc />
    public Task<SessionStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        sessions.GetStatsAsync(tenant.TenantId, cancellationToken);
}
