namespace Continuum.Security;

/// <summary>API keys, rate limits and CORS (<c>Continuum:Security</c>).</summary>
public sealed class SecurityOptions
{
    /// <summary>
    /// Every request needs a key, on loopback too. Off by default: a server bound to loopback only is keyless, and a
    /// server bound to any other address requires keys whatever this says.
    /// </summary>
    public bool RequireKeys { get; set; }

    /// <summary>
    /// Serve a non-loopback address without keys, because a proxy in front authenticates every request. Off by default.
    /// </summary>
    public bool AllowUnauthenticatedRemote { get; set; }

    /// <summary>
    /// How long a node trusts what it read about a key before reading it again (default 0.5 s). A revocation
    /// reaches every node through the store's change feed at once; this bounds it when a notice is lost.
    /// </summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How stale a key's last-used time may be (default 60 s): it is written at most this often per key and node.</summary>
    public TimeSpan LastUsedResolution { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Token-bucket limits per key, by the scope a request needs (<c>read</c>, <c>write</c>, <c>admin</c>); none by default.</summary>
    public Dictionary<string, RateLimitRule> RateLimits { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Browser origins allowed to call the API.</summary>
    public CorsOptions Cors { get; set; } = new();
}
