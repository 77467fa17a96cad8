namespace Continuum.Users;

/// <summary>An external identity as a client names it.</summary>
public sealed record IdentityRef
{
    /// <summary>The interface (telegram, web, …).</summary>
    public string? Interface { get; init; }

    /// <summary>The interface's own user id.</summary>
    public string? ExternalUserId { get; init; }

    /// <summary>A display name, kept when the user is first created.</summary>
    public string? DisplayName { get; init; }
}
