namespace Continuum.Users;

/// <summary>The user an identity resolved to.</summary>
/// <param name="User">The canonical user.</param>
/// <param name="Created">True when this call created the user (first sight of the identity).</param>
public sealed record ResolvedUser(User User, bool Created);
