namespace Continuum.AspNetCore.Security;

/// <summary>Endpoint metadata: the endpoint accepts the sign-in cookie (see <see cref="SignInCookie.AcceptSignInCookie{TBuilder}"/>).</summary>
/// <param name="LoginPath">Where a browser asking for a page without a valid key is sent; null to answer 401.</param>
public sealed record SignInCookieMetadata(string? LoginPath);
