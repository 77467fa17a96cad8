using Continuum.Storage;

namespace Continuum.Security;

/// <summary>
/// The current tenant's API keys, for its admins (<see cref="CallerContext"/> decides the tenant), and the check
/// every request's key goes through.
/// </summary>
public interface IApiKeyService
{
    /// <summary>Makes a key in the caller's tenant; its secret is in the answer and nowhere else. Audited as <c>key.created</c>.</summary>
    Task<CreatedApiKey> CreateAsync(NewApiKey request, CancellationToken cancellationToken = default);

    /// <summary>The tenant's keys, oldest first, one page at a time.</summary>
    Task<Page<ApiKey>> ListAsync(int? limit = null, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>One of the tenant's keys; 404 for another tenant's.</summary>
    Task<ApiKey> GetAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>Revokes one of the tenant's keys (again is harmless); every node refuses it within one second. Audited as <c>key.revoked</c>.</summary>
    Task<ApiKey> RevokeAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The caller a presented secret stands for; <see cref="Errors.UnauthenticatedException"/> when it is missing,
    /// malformed, unknown, expired or revoked.
    /// </summary>
    ValueTask<Caller> AuthenticateAsync(string? secret, CancellationToken cancellationToken = default);

    /// <summary>How many admin keys are active, over every tenant (the server's start check).</summary>
    Task<long> CountActiveAdminKeysAsync(CancellationToken cancellationToken = default);
}
