namespace Continuum.AspNetCore.Security;

/// <summary>Endpoint metadata: the scope a key needs to call the endpoint (see <see cref="SecurityEndpointConventions.RequireScope{TBuilder}"/>).</summary>
/// <param name="Scope">The scope: <c>read</c>, <c>write</c> or <c>admin</c>.</param>
public sealed record ScopeRequirement(string Scope);
