namespace Continuum.Users;

/// <summary>A one-time code that links another interface's identity to a user.</summary>
/// <param name="Code">The code to carry to the other interface. Shown once; only its hash is stored.</param>
/// <param name="UserId">The user the code links to.</param>
/// <param name="ExpiresAt">After this the code is refused.</param>
public sealed record LinkCode(string Code, string UserId, DateTimeOffset ExpiresAt);
