namespace Continuum.Security;

/// <summary>One token bucket: a key may send <see cref="TokenLimit"/> requests at once, refilled by <see cref="TokensPerPeriod"/> every <see cref="Period"/>.</summary>
public sealed class RateLimitRule
{
    /// <summary>The bucket's size: the burst a key may send (default 100).</summary>
    public int TokenLimit { get; set; } = 100;

    /// <summary>Tokens added each period (default 100).</summary>
    public int TokensPerPeriod { get; set; } = 100;

    /// <summary>The refill period (default 1 s).</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Keyless loopback calls are limited by this rule too (default false: local calls are not limited).</summary>
    public bool ApplyToLocal { get; set; }
}
