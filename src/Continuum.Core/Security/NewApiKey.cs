namespace Continuum.Security;

/// <summary>What a new key may do and whom it is bound to.</summary>
/// <param name="Scopes">Its scopes: <c>read</c>, <c>write</c>, <c>admin</c>.</param>
/// <param name="Name">A label for people, or null.</param>
/// <param name="UserId">Binds the key to one user of the tenant, or null.</param>
/// <param name="AgentNamespace">Binds the key to one agent namespace, or null.</param>
/// <param name="ExpiresAt">When the key stops working, or null for never.</param>
public sealed record NewApiKey(
    IReadOnlyList<string> Scopes,
    string? Name = null,
    string? UserId = null,
    string? AgentNamespace = null,
    DateTimeOffset? ExpiresAt = null);
