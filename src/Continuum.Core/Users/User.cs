namespace Continuum.Users;

/// <summary>A canonical user: one person across every interface they use.</summary>
public sealed record User
{
    /// <summary>The user id (<c>usr_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>A display name, from the first identity that gave one.</summary>
    public string? DisplayName { get; init; }

    /// <summary>When the user was first seen.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The identities that resolve to this user.</summary>
    public IReadOnlyList<Identity> Identities { get; init; } = [];
}
