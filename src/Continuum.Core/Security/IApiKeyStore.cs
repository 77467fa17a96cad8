using Continuum.Storage;

namespace Continuum.Security;

/// <summary>Where API keys are kept: one row per key, found by the hash of its secret.</summary>
public interface IApiKeyStore
{
    /// <summary>Stores a new key with the hash of its secret.</summary>
    Task AddAsync(ApiKey key, byte[] secretHash, CancellationToken cancellationToken);

    /// <summary>The key whose secret hashes to <paramref name="secretHash"/>, in any tenant (revoked and expired ones too), or null.</summary>
    Task<ApiKey?> FindByHashAsync(byte[] secretHash, CancellationToken cancellationToken);

    /// <summary>A key of the tenant, or null.</summary>
    Task<ApiKey?> GetAsync(string tenantId, string keyId, CancellationToken cancellationToken);

    /// <summary>The tenant's keys, oldest first, from after <paramref name="afterId"/>.</summary>
    Task<IReadOnlyList<ApiKey>> ListAsync(string tenantId, int limit, string? afterId, CancellationToken cancellationToken);

    /// <summary>Marks the key revoked at <paramref name="at"/> (a revoked key stays revoked); null when the tenant has no such key.</summary>
    Task<ApiKey?> RevokeAsync(string tenantId, string keyId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records that the key was used at <paramref name="at"/>.</summary>
    Task TouchAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>How many keys with the admin scope are active at <paramref name="now"/>, over every tenant.</summary>
    Task<long> CountActiveAdminKeysAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
