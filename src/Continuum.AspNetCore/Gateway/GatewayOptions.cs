namespace Continuum.AspNetCore.Gateway;

/// <summary>
/// The OpenAI-compatible gateway, configured under <c>Continuum:Gateway</c>. The default upstream is the configured
/// chat model (<c>Continuum:Models:Chat</c>); <see cref="Upstreams"/> adds more by model name.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Continuum:Gateway";

    /// <summary>Upstreams by the model name a client asks for (<c>Continuum:Gateway:Upstreams:NAME:Endpoint</c>…).</summary>
    public Dictionary<string, GatewayUpstreamOptions> Upstreams { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The interface a caller's session is opened on when the request names none (<c>X-Continuum-Interface</c>).</summary>
    public string DefaultInterface { get; set; } = "gateway";
}
