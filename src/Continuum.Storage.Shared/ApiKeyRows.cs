using System.Data.Common;
using Continuum.Storage;

namespace Continuum.Security;

/// <summary>The row reader of API keys, shared by the stores (the secret's hash is never read back).</summary>
internal static class ApiKeyRows
{
    /// <summary>The columns the reader expects, in order.</summary>
    public const string Columns = "id, tenant_id, prefix, name, scopes, user_id, agent_namespace, created_at, created_by, expires_at, revoked_at, last_used_at";

    /// <summary>A key from <see cref="Columns"/>.</summary>
    public static ApiKey Read(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new ApiKey
        {
            Id = r.GetString(0),
            TenantId = r.GetString(1),
            Prefix = r.GetString(2),
            Name = r.ReadNullableString(3),
            Scopes = r.GetString(4).Split(',', StringSplitOptions.RemoveEmptyEntries),
            UserId = r.ReadNullableString(5),
            AgentNamespace = r.ReadNullableString(6),
            CreatedAt = r.ReadTime(7),
            CreatedBy = r.GetString(8),
            ExpiresAt = r.IsDBNull(9) ? null : r.ReadTime(9),
            RevokedAt = r.IsDBNull(10) ? null : r.ReadTime(10),
            LastUsedAt = r.IsDBNull(11) ? null : r.ReadTime(11),
        };
    }

    /// <summary>The first key of <paramref name="keys"/>, or null.</summary>
    public static ApiKey? First(IReadOnlyList<ApiKey> keys) => keys.Count > 0 ? keys[0] : null;
}
