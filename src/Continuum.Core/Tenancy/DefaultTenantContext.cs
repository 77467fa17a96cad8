using Microsoft.Extensions.Options;

namespace Continuum.Tenancy;

/// <summary>Every call acts for the configured default tenant.</summary>
public sealed class DefaultTenantContext(IOptions<ContinuumOptions> options) : ITenantContext
{
    /// <inheritdoc />
    public string TenantId { get; } = options.Value.DefaultTenant;
}
