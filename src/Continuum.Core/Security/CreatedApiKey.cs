namespace Continuum.Security;

/// <summary>A key just made, with its secret: the only time the secret is ever shown.</summary>
/// <param name="Key">The key as stored.</param>
/// <param name="Secret">The secret to send as <c>Authorization: Bearer</c>.</param>
public sealed record CreatedApiKey(ApiKey Key, string Secret);
