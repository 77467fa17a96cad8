namespace Continuum.Security;

/// <summary>Cross-origin requests (<c>Continuum:Security:Cors</c>).</summary>
public sealed class CorsOptions
{
    /// <summary>The origins browsers may call from, e.g. <c>https://app.example.com</c>; none by default (no cross-origin access).</summary>
    public List<string> Origins { get; set; } = [];

    /// <summary>How long a browser may cache a preflight answer (default 10 minutes).</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);
}
