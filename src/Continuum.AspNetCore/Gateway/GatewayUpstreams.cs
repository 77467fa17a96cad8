using Microsoft.Extensions.Options;

namespace Continuum.AspNetCore.Gateway;

/// <summary>
/// Picks the upstream for a model name: one named under <c>Continuum:Gateway:Upstreams</c>, else the configured chat
/// model (<c>Continuum:Models:Chat</c>), which also takes the names <c>continuum</c> and <c>default</c> and a request
/// without a model. With neither, null: the gateway answers through the answering pipeline without a model.
/// </summary>
internal sealed class GatewayUpstreams : IDisposable
{
    private readonly IOptions<GatewayOptions> _gateway;
    private readonly IOptions<ContinuumOptions> _continuum;

    public GatewayUpstreams(IOptions<GatewayOptions> gateway, IOptions<ContinuumOptions> continuum)
    {
        _gateway = gateway;
        _continuum = continuum;
        // One pool for every upstream; connections are renewed so a DNS change is seen. Bodies pass through as they
        // come (no decompression: the request asks for none).
        Http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            MaxConnectionsPerServer = 256,
        })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    public HttpClient Http { get; }

    /// <summary>The model name the gateway reports when no model answers.</summary>
    public const string NoModelName = "continuum-none";

    public ResolvedUpstream? Resolve(string? model)
    {
        if (!string.IsNullOrEmpty(model) && _gateway.Value.Upstreams.TryGetValue(model, out var named) && !string.IsNullOrWhiteSpace(named.Endpoint))
        {
            return new ResolvedUpstream(model, Completions(named.Endpoint), named.Model ?? model, Key(named.ApiKeyEnvironmentVariable), named.Timeout);
        }

        var chat = _continuum.Value.Models.Chat;
        if (!chat.IsConfigured)
        {
            return null;
        }

        var send = string.IsNullOrEmpty(model) || model is "continuum" or "default" ? chat.Model! : model;
        return new ResolvedUpstream("default", Completions(chat.Endpoint!), send, Key(chat.ApiKeyEnvironmentVariable), chat.Timeout);
    }

    /// <summary>The model names a client can ask for.</summary>
    public IEnumerable<string> Names()
    {
        var chat = _continuum.Value.Models.Chat;
        if (chat.IsConfigured)
        {
            yield return chat.Model!;
        }
        else
        {
            yield return NoModelName;
        }

        foreach (var (name, upstream) in _gateway.Value.Upstreams)
        {
            if (!string.IsNullOrWhiteSpace(upstream.Endpoint) && name != chat.Model)
            {
                yield return name;
            }
        }
    }

    private static Uri Completions(string endpoint) => new(endpoint.TrimEnd('/') + "/chat/completions");

    private static string? Key(string variable) =>
        string.IsNullOrEmpty(variable) ? null : Environment.GetEnvironmentVariable(variable) is { Length: > 0 } key ? key : null;

    public void Dispose() => Http.Dispose();
}

/// <summary>The upstream a request goes to.</summary>
/// <param name="Name">The upstream's name (<c>default</c> for the chat model).</param>
/// <param name="ChatCompletions">Its <c>/chat/completions</c> address.</param>
/// <param name="Model">The model name sent to it.</param>
/// <param name="ApiKey">The bearer key, or null.</param>
/// <param name="Timeout">How long it may take to start answering and between pieces.</param>
internal sealed record ResolvedUpstream(string Name, Uri ChatCompletions, string Model, string? ApiKey, TimeSpan Timeout);
