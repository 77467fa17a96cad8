namespace Continuum.Sessions;

/// <summary>The states a session can be in.</summary>
public static class SessionStatus
{
    /// <summary>In use; resumable.</summary>
    public const string Active = "active";

    /// <summary>Idle; an append makes it active again.</summary>
    public const string Inactive = "inactive";

    /// <summary>Past its expiry; read-only.</summary>
    public const string Expired = "expired";

    /// <summary>Closed on purpose; read-only.</summary>
    public const string Closed = "closed";

    /// <summary>Every status.</summary>
    public static readonly IReadOnlyList<string> All = [Active, Inactive, Expired, Closed];

    /// <summary>True when a session in <paramref name="status"/> takes no more events.</summary>
    public static bool IsFinal(string status) => status is Expired or Closed;
}
