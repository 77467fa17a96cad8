namespace Continuum.Sessions;

/// <summary>Defaults for new sessions and the background cleanup.</summary>
public sealed class SessionDefaults
{
    /// <summary>Context window per session, in tokens.</summary>
    public int TokenLimit { get; set; } = 4000;

    /// <summary>Sliding expiry of a session.</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Sliding expiry of an agent's session.</summary>
    public TimeSpan AgentExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often expired sessions are marked.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a link code stays valid.</summary>
    public TimeSpan LinkCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many of the parent's last messages a continuation carries over.</summary>
    public int CarryOverMessages { get; set; } = 6;
}
