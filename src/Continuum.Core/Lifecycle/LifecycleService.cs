using Continuum.Errors;
using Continuum.Security;
using Continuum.Tenancy;
using Continuum.Users;
using Continuum.Validation;

namespace Continuum.Lifecycle;

/// <summary>The data lifecycle over the store: forgetting users, export and import.</summary>
public sealed class LifecycleService(ILifecycleStore store, IUserStore users, ITenantContext tenant, IAuditActor actor, TimeProvider clock) : ILifecycleService
{
    /// <summary>The audit action of a forget.</summary>
    public const string UserForgotten = "user.forgotten";

    /// <inheritdoc />
    public async Task<ForgetResult> ForgetUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var id = InputValidator.Identifier(userId, "userId");
        var user = await users.GetAsync(tenant.TenantId, id, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", id);
        var who = actor.Id;
        var counts = await store.ForgetUserAsync(tenant.TenantId, user.Id,
            c => new AuditEntry(tenant.TenantId, who, UserForgotten, user.Id, c, clock.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return new ForgetResult(user.Id, counts);
    }
}
