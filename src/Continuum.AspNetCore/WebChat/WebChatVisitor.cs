using System.Buffers.Text;
using System.Security.Cryptography;
using Continuum.Users;
using Microsoft.AspNetCore.Http;

namespace Continuum.AspNetCore.WebChat;

/// <summary>
/// The web chat visitor's identity: a random external id on the <c>web</c> interface, kept in an HttpOnly,
/// SameSite=Lax cookie (Secure when the page came over HTTPS). Whoever holds the cookie is the visitor, so it
/// carries 128 random bits and nothing else.
/// </summary>
internal static class WebChatVisitor
{
    /// <summary>The interface the web chat records on.</summary>
    public const string Interface = "web";

    /// <summary>The cookie's name.</summary>
    public const string CookieName = "continuum_visitor";

    private const int IdBytes = 16;

    /// <summary>The visitor's identity from the cookie, or null when there is none (or it is not one we issued).</summary>
    public static IdentityRef? Find(HttpContext context) =>
        context.Request.Cookies.TryGetValue(CookieName, out var value) && IsWellFormed(value)
            ? new IdentityRef { Interface = Interface, ExternalUserId = value }
            : null;

    /// <summary>The visitor's identity, issuing a new cookie when the request had none.</summary>
    public static IdentityRef FindOrIssue(HttpContext context)
    {
        if (Find(context) is { } known)
        {
            return known;
        }

        var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(IdBytes));
        context.Response.Cookies.Append(CookieName, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/chat",
            MaxAge = TimeSpan.FromDays(365),
            IsEssential = true,
        });
        return new IdentityRef { Interface = Interface, ExternalUserId = id };
    }

    private static bool IsWellFormed(string? value) =>
        value is { Length: 22 } && Base64Url.IsValid(value, out var decoded) && decoded == IdBytes;
}
