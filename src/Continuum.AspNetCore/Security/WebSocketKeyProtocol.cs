using Microsoft.AspNetCore.Http;

namespace Continuum.AspNetCore.Security;

/// <summary>
/// An API key sent as a WebSocket subprotocol, for browsers (which cannot set <c>Authorization</c> on a WebSocket):
/// the client offers <c>continuum</c> and <c>continuum.bearer.&lt;key&gt;</c>; the server answers <c>continuum</c>, never
/// the key. Only routes marked <see cref="SecurityEndpointConventions.AcceptKeyInWebSocketProtocol{TBuilder}"/> read it.
/// </summary>
public static class WebSocketKeyProtocol
{
    /// <summary>The subprotocol the server answers with.</summary>
    public const string Protocol = "continuum";

    /// <summary>The prefix of the subprotocol that carries the key.</summary>
    public const string BearerPrefix = "continuum.bearer.";

    /// <summary>The key offered in the request's <c>Sec-WebSocket-Protocol</c>, or null when none is.</summary>
    public static string? KeyOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var header in request.Headers.SecWebSocketProtocol)
        {
            foreach (var offered in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (offered.StartsWith(BearerPrefix, StringComparison.Ordinal))
                {
                    return offered[BearerPrefix.Length..];
                }
            }
        }

        return null;
    }

    /// <summary>The subprotocol to accept the WebSocket with: <see cref="Protocol"/> when the client offered it, else none.</summary>
    public static string? Select(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.WebSockets.WebSocketRequestedProtocols.Contains(Protocol) ? Protocol : null;
    }
}
