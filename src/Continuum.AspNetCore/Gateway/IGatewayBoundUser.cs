using Microsoft.AspNetCore.Http;

namespace Continuum.AspNetCore.Gateway;

/// <summary>
/// The canonical user the caller's credentials speak for (for example the user an API key is bound to), when there is
/// one. Registered by the security layer; without a registration no request has a bound user. A bound user wins over
/// <c>X-Continuum-User</c> and OpenAI's <c>user</c> field, which a caller could set to anything.
/// </summary>
public interface IGatewayBoundUser
{
    /// <summary>The bound user's id for this request, or null.</summary>
    string? BoundUserId(HttpContext context);
}
