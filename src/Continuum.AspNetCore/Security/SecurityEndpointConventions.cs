using Microsoft.AspNetCore.Builder;

namespace Continuum.AspNetCore.Security;

/// <summary>
/// How a route or route group states what a key needs to call it. Without these, a GET or HEAD needs <c>read</c>,
/// any other method <c>write</c> (a search, sent as a POST, <c>read</c>), and bound keys are refused; admin routes
/// (keys, the audit log, export, import, forget, retention) declare <c>admin</c> with <see cref="RequireScope{TBuilder}"/>.
/// </summary>
public static class SecurityEndpointConventions
{
    /// <summary>The endpoints need a key with <paramref name="scope"/> (<c>read</c>, <c>write</c> or <c>admin</c>).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var parsed = Continuum.Security.ApiScopes.Parse([scope]);
        return builder.WithMetadata(new ScopeRequirement(parsed[0]));
    }

    /// <summary>Keys bound to one user or one agent namespace may call the endpoints; the services then confine them.</summary>
    public static TBuilder AllowBoundKeys<TBuilder>(this TBuilder builder, BoundKeyAccess access)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new BoundKeyMetadata(access));
    }

    /// <summary>
    /// A WebSocket endpoint that also takes the key as a <c>Sec-WebSocket-Protocol</c> value (<see cref="WebSocketKeyProtocol"/>),
    /// for browsers, when the request has no <c>Authorization</c> header.
    /// </summary>
    public static TBuilder AcceptKeyInWebSocketProtocol<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new WebSocketKeyMetadata());
    }

    /// <summary>The endpoints need no key at all.</summary>
    public static TBuilder AllowAnonymousAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new AnonymousAccessMetadata());
    }
}
