namespace Continuum.Tenancy;

/// <summary>The tenant the current call acts for.</summary>
public interface ITenantContext
{
    /// <summary>The tenant id.</summary>
    string TenantId { get; }
}
