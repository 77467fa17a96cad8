using Continuum.Errors;
using Continuum.Security;
using Continuum.Tenancy;
using Microsoft.Extensions.Options;

namespace Continuum.Lifecycle;

/// <summary>
/// The calling tenant's retention policy: configuration is the default, a policy an admin stored wins field by
/// field. Changing it is an admin action, recorded in the audit log.
/// </summary>
public sealed class RetentionPolicies(IRetentionStore store, ITenantContext tenant, IAuditActor actor, IOptions<ContinuumOptions> options, TimeProvider clock)
{
    /// <summary>The audit action of a stored policy change.</summary>
    public const string PolicySet = "retention.set";

    /// <summary>The effective policy of <paramref name="tenantId"/> given what it stored: every field set.</summary>
    public static RetentionPolicy Effective(RetentionOptions options, string tenantId, RetentionPolicy? stored)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Configured(tenantId);
        return (stored is null ? configured : stored.Over(configured)).Resolved();
    }

    /// <summary>The calling tenant's retention.</summary>
    public async Task<RetentionSettings> GetAsync(CancellationToken cancellationToken = default)
    {
        CallerAccess.RequireScope(ApiScopes.Admin);
        var retention = options.Value.Retention;
        var stored = await store.GetPolicyAsync(tenant.TenantId, cancellationToken).ConfigureAwait(false);
        return new RetentionSettings(retention.Configured(tenant.TenantId), stored, Effective(retention, tenant.TenantId, stored));
    }

    /// <summary>Stores <paramref name="policy"/> for the calling tenant (null fields inherit the configuration; null removes the stored policy).</summary>
    public async Task<RetentionSettings> SetAsync(RetentionPolicy? policy, CancellationToken cancellationToken = default)
    {
        CallerAccess.RequireScope(ApiScopes.Admin);
        if (policy?.EventDays is < 0 or > RetentionPolicy.MaxDays)
        {
            throw new ValidationException("eventDays", $"must be between 0 (off) and {RetentionPolicy.MaxDays} days.");
        }

        if (policy?.ClosedSessionDays is < 0 or > RetentionPolicy.MaxDays)
        {
            throw new ValidationException("closedSessionDays", $"must be between 0 (off) and {RetentionPolicy.MaxDays} days.");
        }

        var now = clock.GetUtcNow();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["eventDays"] = policy?.EventDays ?? -1,
            ["closedSessionDays"] = policy?.ClosedSessionDays ?? -1,
        };
        await store.SetPolicyAsync(tenant.TenantId, policy, now, new AuditEntry(tenant.TenantId, actor.Id, PolicySet, null, counts, now), cancellationToken).ConfigureAwait(false);
        return await GetAsync(cancellationToken).ConfigureAwait(false);
    }
}
