using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Continuum.AspNetCore.Security;

/// <summary>
/// The dashboard's sign-in: an admin key kept in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS), which the key
/// check accepts in place of an <c>Authorization</c> header on the endpoints that say so
/// (<see cref="AcceptSignInCookie{TBuilder}"/>) and on <c>/api/*</c>. A request that could change something (any method
/// but GET, HEAD and OPTIONS, and every WebSocket) is accepted on the cookie only when the browser says it comes from
/// the same origin, so another site cannot act with it.
/// </summary>
public static class SignInCookie
{
    /// <summary>The cookie's name.</summary>
    public const string Name = "continuum_key";

    /// <summary>
    /// The endpoints accept the sign-in cookie; a browser asking for one of their pages (a GET that accepts HTML)
    /// without a valid key is sent to <paramref name="loginPath"/> instead of answered 401.
    /// </summary>
    public static TBuilder AcceptSignInCookie<TBuilder>(this TBuilder builder, string? loginPath = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new SignInCookieMetadata(loginPath));
    }

    /// <summary>Signs the browser in with <paramref name="secret"/> (an admin key the caller has checked).</summary>
    public static void Append(HttpContext context, string secret)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Append(Name, secret, Options(context.Request));
    }

    /// <summary>Signs the browser out.</summary>
    public static void Delete(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(Name, Options(context.Request));
    }

    /// <summary>True when the browser says the request comes from a page of this origin (<c>Sec-Fetch-Site</c>, else <c>Origin</c>).</summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return string.Equals(site, "same-origin", StringComparison.OrdinalIgnoreCase);
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The key in the request's sign-in cookie, when the endpoint accepts it and the request may use it; else null.</summary>
    internal static string? From(HttpContext context, Endpoint? endpoint)
    {
        var request = context.Request;
        if (!request.Cookies.TryGetValue(Name, out var secret) || string.IsNullOrEmpty(secret))
        {
            return null;
        }

        if (endpoint?.Metadata.GetMetadata<SignInCookieMetadata>() is null && !request.Path.StartsWithSegments("/api"))
        {
            return null;
        }

        var safe = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method);
        return (safe && !context.WebSockets.IsWebSocketRequest) || IsSameOrigin(request) ? secret : null;
    }

    /// <summary>Where to send a browser that asked for a page without a valid key (with the page to come back to); else null.</summary>
    internal static string? LoginRedirect(HttpContext context, Endpoint? endpoint)
    {
        var request = context.Request;
        if (endpoint?.Metadata.GetMetadata<SignInCookieMetadata>() is not { LoginPath: { } login }
            || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            || !request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return $"{request.PathBase}{login}?return={Uri.EscapeDataString(request.Path + request.QueryString.ToString())}";
    }

    private static CookieOptions Options(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = string.IsNullOrEmpty(request.PathBase) ? "/" : request.PathBase.ToString(),
        IsEssential = true,
    };
}
