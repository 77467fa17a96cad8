namespace Continuum.AspNetCore.Security;

/// <summary>Which bound keys may call an endpoint; bound keys reach nothing that does not say so.</summary>
[Flags]
public enum BoundKeyAccess
{
    /// <summary>Unbound keys only.</summary>
    None = 0,

    /// <summary>Keys bound to one user (the services confine them to that user's data).</summary>
    User = 1,

    /// <summary>Keys bound to one agent namespace (the services confine them to that namespace).</summary>
    AgentNamespace = 2,
}

/// <summary>Endpoint metadata: the bound keys an endpoint accepts (see <see cref="SecurityEndpointConventions.AllowBoundKeys{TBuilder}"/>).</summary>
/// <param name="Access">Which bindings may call it.</param>
public sealed record BoundKeyMetadata(BoundKeyAccess Access);

/// <summary>Endpoint metadata: the endpoint needs no key, even when keys are required (health, the OpenAPI document).</summary>
public sealed record AnonymousAccessMetadata;
