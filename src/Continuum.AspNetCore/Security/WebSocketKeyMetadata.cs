namespace Continuum.AspNetCore.Security;

/// <summary>Endpoint metadata: the WebSocket endpoint takes the key as a subprotocol too (see <see cref="WebSocketKeyProtocol"/>).</summary>
public sealed record WebSocketKeyMetadata;
