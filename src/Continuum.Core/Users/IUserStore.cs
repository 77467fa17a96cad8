namespace Continuum.Users;

/// <summary>Canonical users, their external identities and link codes.</summary>
public interface IUserStore
{
    /// <summary>
    /// The user the identity resolves to; on first sight a new user <paramref name="newUserId"/> is created with it.
    /// </summary>
    Task<(User User, bool Created)> ResolveAsync(string tenantId, string interfaceName, string externalUserId, string? displayName, string newUserId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The user with identities, following merges to the survivor; null when unknown.</summary>
    Task<User?> GetAsync(string tenantId, string userId, CancellationToken cancellationToken);

    /// <summary>Stores a link code (by hash) for the user.</summary>
    Task SaveLinkCodeAsync(string tenantId, string codeHash, string userId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Consumes the link code and links the identity to its user, atomically. If the identity belonged to another
    /// user who has no other identity left, that user is merged into the code's user. Null when the code is
    /// unknown, used or expired.
    /// </summary>
    Task<User?> RedeemLinkCodeAsync(string tenantId, string codeHash, string interfaceName, string externalUserId, string? displayName, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes the identity; false when it did not exist.</summary>
    Task<bool> UnlinkAsync(string tenantId, string interfaceName, string externalUserId, CancellationToken cancellationToken);

    /// <summary>
    /// Moves everything of <paramref name="mergedId"/> (sessions, identities) to <paramref name="survivorId"/>
    /// and records the merge so the old id still resolves. Returns the survivor.
    /// </summary>
    Task<User> MergeAsync(string tenantId, string survivorId, string mergedId, DateTimeOffset now, CancellationToken cancellationToken);
}
