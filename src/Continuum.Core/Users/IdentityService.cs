using System.Security.Cryptography;
using System.Text;
using Continuum.Errors;
using Continuum.Security;
using Continuum.Storage;
using Continuum.Tenancy;
using Continuum.Validation;
using Microsoft.Extensions.Options;

namespace Continuum.Users;

/// <summary>The in-process <see cref="IIdentityService"/>.</summary>
public sealed class IdentityService(
    IUserStore users,
    ITenantContext tenant,
    IOptions<ContinuumOptions> options,
    TimeProvider time) : IIdentityService
{
    /// <inheritdoc />
    public async Task<User> ResolveAsync(IdentityRef identity, CancellationToken cancellationToken = default) =>
        (await ResolveIdentityAsync(identity, cancellationToken).ConfigureAwait(false)).User;

    /// <inheritdoc />
    public async Task<ResolvedUser> ResolveIdentityAsync(IdentityRef identity, CancellationToken cancellationToken = default)
    {
        var (iface, externalId, displayName) = Validate(identity, "identity");
        if (CallerAccess.BoundUser is { } bound)
        {
            // A user-bound key resolves its own user's identities and creates nobody.
            var own = await users.GetAsync(tenant.TenantId, bound, cancellationToken).ConfigureAwait(false);
            return own is not null && own.Identities.Any(i => i.Interface == iface && i.ExternalUserId == externalId)
                ? new ResolvedUser(own, false)
                : throw new NotFoundException("Identity", $"{iface}/{externalId}");
        }

        var now = time.GetUtcNow();
        var (user, created) = await users.ResolveAsync(tenant.TenantId, iface, externalId, displayName, Ids.NewUserId(now), now, cancellationToken).ConfigureAwait(false);
        return new ResolvedUser(user, created);
    }

    /// <inheritdoc />
    public async Task<User?> GetUserAsync(string userId, CancellationToken cancellationToken = default) =>
        await users.GetAsync(tenant.TenantId, userId, cancellationToken).ConfigureAwait(false) is { } user && CallerAccess.SeesUser(user.Id) ? user : null;

    /// <inheritdoc />
    public async Task<LinkCode> CreateLinkCodeAsync(string userId, CancellationToken cancellationToken = default)
    {
        var user = await GetUserAsync(userId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("User", userId);
        var now = time.GetUtcNow();
        var code = Ids.NewCode();
        var expiresAt = now.Add(options.Value.Sessions.LinkCodeLifetime);
        await users.SaveLinkCodeAsync(tenant.TenantId, Hash(code), user.Id, expiresAt, now, cancellationToken).ConfigureAwait(false);
        return new LinkCode(code, user.Id, expiresAt);
    }

    /// <inheritdoc />
    public async Task<User> LinkAsync(LinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CallerAccess.RequireNotUserBound("redeem link codes (the code's user is not known until it is redeemed)");
        if (string.IsNullOrWhiteSpace(request.Code) || request.Code.Length > 64)
        {
            throw new ValidationException("code", "is required (the code issued on the other interface).");
        }

        var (iface, externalId, displayName) = Validate(request.Identity, "identity");
        var now = time.GetUtcNow();
        return await users.RedeemLinkCodeAsync(tenant.TenantId, Hash(request.Code), iface, externalId, displayName, now, cancellationToken).ConfigureAwait(false)
            ?? throw new ContinuumException("link-code-invalid", 400, "The link code is unknown, already used or expired. Issue a new one.");
    }

    /// <inheritdoc />
    public Task<bool> UnlinkAsync(string interfaceName, string externalUserId, CancellationToken cancellationToken = default)
    {
        CallerAccess.RequireNotUserBound("unlink identities");
        InputValidator.Interface(interfaceName);
        InputValidator.Identifier(externalUserId, "externalUserId");
        return users.UnlinkAsync(tenant.TenantId, interfaceName, externalUserId, cancellationToken);
    }

    /// <inheritdoc />
    public Task<User> MergeAsync(string survivorId, string mergedId, CancellationToken cancellationToken = default)
    {
        CallerAccess.RequireNotUserBound("merge users");
        InputValidator.Identifier(survivorId, "survivorId");
        InputValidator.Identifier(mergedId, "userId");
        return users.MergeAsync(tenant.TenantId, survivorId, mergedId, time.GetUtcNow(), cancellationToken);
    }

    private static (string Interface, string ExternalUserId, string? DisplayName) Validate(IdentityRef? identity, string field)
    {
        if (identity is null)
        {
            throw new ValidationException(field, "is required: { interface, externalUserId, displayName? }.");
        }

        var iface = InputValidator.Interface(identity.Interface, field + ".interface");
        var externalId = InputValidator.Identifier(identity.ExternalUserId, field + ".externalUserId");
        if (identity.DisplayName is { Length: > InputValidator.MaxTitleLength })
        {
            throw new ValidationException(field + ".displayName", $"must be at most {InputValidator.MaxTitleLength} characters.");
        }

        return (iface, externalId, identity.DisplayName);
    }

    // Codes are stored as hashes so a copy of the database cannot be used to link identities.
    private static string Hash(string code) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Ids.NormalizeCode(code))));
}
