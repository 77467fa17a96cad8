using Continuum.Security;
using Microsoft.AspNetCore.Http;

namespace Continuum.AspNetCore.Gateway;

/// <summary>The user the calling API key is bound to, from the caller the key middleware set for this request.</summary>
internal sealed class CallerBoundUser : IGatewayBoundUser
{
    /// <inheritdoc />
    public string? BoundUserId(HttpContext context) => CallerContext.Current?.UserId;
}
