namespace Continuum.Users;

/// <summary>Redeem a link code on another interface.</summary>
public sealed record LinkRequest
{
    /// <summary>The code issued on the first interface.</summary>
    public string? Code { get; init; }

    /// <summary>The identity on this interface to link to the code's user.</summary>
    public IdentityRef? Identity { get; init; }
}
