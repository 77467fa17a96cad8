namespace Continuum.Security;

/// <summary>An API key as stored: never its secret, only the secret's hash and the prefix people see.</summary>
public sealed record ApiKey
{
    /// <summary>The key's id (<c>key_…</c>): what lists, revocations and the audit log name.</summary>
    public required string Id { get; init; }

    /// <summary>The tenant the key acts for.</summary>
    public required string TenantId { get; init; }

    /// <summary>The first characters of the secret, for people to tell keys apart (<c>ck_live_ab12cd34</c>).</summary>
    public required string Prefix { get; init; }

    /// <summary>A label for people, or null.</summary>
    public string? Name { get; init; }

    /// <summary>What the key may do (<see cref="ApiScopes"/>).</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>When set, the one user whose data the key sees and writes.</summary>
    public string? UserId { get; init; }

    /// <summary>When set, the one agent namespace the key reaches.</summary>
    public string? AgentNamespace { get; init; }

    /// <summary>When the key was made.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who made it: a key's id or <c>local</c>.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When the key stops working, or null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When it was revoked, or null.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When it was last used, to within <c>Continuum:Security:LastUsedResolutionSeconds</c>; null if never.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>True when the key authenticates at <paramref name="now"/>: not revoked and not expired.</summary>
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
