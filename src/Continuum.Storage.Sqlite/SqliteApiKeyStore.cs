using Continuum.Security;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>API keys in SQLite: the secret's SHA-256 is the lookup key; the secret itself is never stored.</summary>
public sealed class SqliteApiKeyStore(SqliteDatabase database) : IApiKeyStore
{
    /// <summary>Schema version 6: the API keys table.</summary>
    internal const string Schema = """
        CREATE TABLE api_keys (
            id TEXT NOT NULL PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            prefix TEXT NOT NULL,
            name TEXT,
            secret_hash BLOB NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            user_id TEXT,
            agent_namespace TEXT,
            created_at INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            expires_at INTEGER,
            revoked_at INTEGER,
            last_used_at INTEGER
        );
        CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, id);
        """;

    private const string Columns = ApiKeyRows.Columns;

    /// <inheritdoc />
    public Task AddAsync(ApiKey key, byte[] secretHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return database.WriteAsync(w => w.Command($"""
            INSERT INTO api_keys ({Columns}, secret_hash)
            VALUES ($id, $tenant, $prefix, $name, $scopes, $user, $ns, $created, $by, $expires, NULL, NULL, $hash)
            """)
            .Bind("$id", key.Id).Bind("$tenant", key.TenantId).Bind("$prefix", key.Prefix).Bind("$name", key.Name)
            .Bind("$scopes", string.Join(',', key.Scopes)).Bind("$user", key.UserId).Bind("$ns", key.AgentNamespace)
            .Bind("$created", key.CreatedAt).Bind("$by", key.CreatedBy).Bind("$expires", key.ExpiresAt).Bind("$hash", secretHash)
            .ExecuteNonQuery(), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ApiKey?> FindByHashAsync(byte[] secretHash, CancellationToken cancellationToken) =>
        ApiKeyRows.First(await ReadAsync($"SELECT {Columns} FROM api_keys WHERE secret_hash = $hash", c => c.Bind("$hash", secretHash), cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<ApiKey?> GetAsync(string tenantId, string keyId, CancellationToken cancellationToken) =>
        ApiKeyRows.First(await ReadAsync($"SELECT {Columns} FROM api_keys WHERE tenant_id = $tenant AND id = $id", c => c.Bind("$tenant", tenantId).Bind("$id", keyId), cancellationToken)
            .ConfigureAwait(false));

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKey>> ListAsync(string tenantId, int limit, string? afterId, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {Columns} FROM api_keys WHERE tenant_id = $tenant AND id > $after ORDER BY id LIMIT $limit",
            c => c.Bind("$tenant", tenantId).Bind("$after", afterId ?? "").Bind("$limit", limit), cancellationToken);

    /// <inheritdoc />
    public async Task<ApiKey?> RevokeAsync(string tenantId, string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await database.WriteAsync(w => w.Command("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $at) WHERE tenant_id = $tenant AND id = $id")
            .Bind("$at", at).Bind("$tenant", tenantId).Bind("$id", keyId).ExecuteNonQuery(), cancellationToken).ConfigureAwait(false);
        return await GetAsync(tenantId, keyId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task TouchAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(w => w.Command("UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), $at) WHERE id = $id")
            .Bind("$at", at).Bind("$id", keyId).ExecuteNonQuery(), cancellationToken);

    /// <inheritdoc />
    public async Task<long> CountActiveAdminKeysAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT count(*) FROM api_keys
                WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $now) AND (',' || scopes || ',') LIKE '%,admin,%'
                """;
            command.Bind("$now", now);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    private async Task<IReadOnlyList<ApiKey>> ReadAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var keys = new List<ApiKey>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                keys.Add(ApiKeyRows.Read(reader));
            }

            return keys;
        }
    }
}
