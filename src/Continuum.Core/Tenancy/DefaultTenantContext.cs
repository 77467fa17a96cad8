using Continuum.Security;
using Microsoft.Extensions.Options;

namespace Continuum.Tenancy;

/// <summary>
/// The tenant of the current call: the tenant of the caller's API key when a request set one
/// (<see cref="CallerContext"/>), else the configured default tenant (in-process commands, keyless loopback calls,
/// background jobs).
/// </summary>
public sealed class DefaultTenantContext(IOptions<ContinuumOptions> options) : ITenantContext
{
    private readonly string _defaultTenant = options.Value.DefaultTenant;

    /// <inheritdoc />
    public string TenantId => CallerContext.Current?.TenantId ?? _defaultTenant;
}
