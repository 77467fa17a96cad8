namespace Continuum.Users;

/// <summary>Canonical users and the identities of the interfaces they use.</summary>
public interface IIdentityService
{
    /// <summary>The user an external identity resolves to, created on first sight.</summary>
    Task<User> ResolveAsync(IdentityRef identity, CancellationToken cancellationToken = default);

    /// <summary>The user an external identity resolves to, created on first sight, and whether this call created it.</summary>
    Task<ResolvedUser> ResolveIdentityAsync(IdentityRef identity, CancellationToken cancellationToken = default);

    /// <summary>The user (following merges), or null.</summary>
    Task<User?> GetUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Issues a one-time code that links another interface's identity to this user.</summary>
    Task<LinkCode> CreateLinkCodeAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Redeems a link code: the identity now resolves to the code's user.</summary>
    Task<User> LinkAsync(LinkRequest request, CancellationToken cancellationToken = default);

    /// <summary>Removes an identity; its next sight creates a new user. False when it did not exist.</summary>
    Task<bool> UnlinkAsync(string interfaceName, string externalUserId, CancellationToken cancellationToken = default);

    /// <summary>Merges <paramref name="mergedId"/> into <paramref name="survivorId"/>.</summary>
    Task<User> MergeAsync(string survivorId, string mergedId, CancellationToken cancellationToken = default);
}
