namespace Continuum.Security;

/// <summary>
/// Who the current call acts for: the tenant, the key (null for an in-process command or a keyless loopback call),
/// its scopes and its bindings.
/// </summary>
/// <param name="TenantId">The tenant every read and write is confined to.</param>
/// <param name="KeyId">The API key's id, or null for a local caller.</param>
/// <param name="Scopes">What the caller may do (<see cref="ApiScopes"/>).</param>
/// <param name="UserId">When set, the one user whose data the caller sees and writes.</param>
/// <param name="AgentNamespace">When set, the one agent namespace whose agents, messages and shared memory the caller reaches.</param>
public sealed record Caller(string TenantId, string? KeyId, IReadOnlyList<string> Scopes, string? UserId = null, string? AgentNamespace = null)
{
    /// <summary>The actor written to the audit log: the key's id, or <c>local</c>.</summary>
    public string Actor => KeyId ?? "local";

    /// <summary>True when the caller is bound to one user or one agent namespace.</summary>
    public bool IsBound => UserId is not null || AgentNamespace is not null;

    /// <summary>A local caller of <paramref name="tenantId"/> (an in-process command, a keyless loopback call): every scope, no binding.</summary>
    public static Caller Local(string tenantId) => new(tenantId, null, ApiScopes.All);

    /// <summary>True when the caller holds <paramref name="scope"/>.</summary>
    public bool Has(string scope) => Scopes.Contains(scope);
}
