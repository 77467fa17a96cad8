using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Tenancy;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Continuum.AspNetCore;

/// <summary>Healthy when the store answers a read.</summary>
public sealed class StoreHealthCheck(ISessionStore sessions, ITenantContext tenant, IStoreMigrator store) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await sessions.GetAsync(tenant.TenantId, "ses_health_probe", cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy(store.Describe().Split(':')[0]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The store does not answer.", ex);
        }
    }
}
