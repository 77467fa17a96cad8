using Continuum.Security;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>API keys in PostgreSQL: the secret's SHA-256 is the lookup key; the secret itself is never stored.</summary>
public sealed class PostgresApiKeyStore(PostgresDatabase database) : IApiKeyStore
{
    /// <summary>Schema version 3: the API keys table.</summary>
    internal const string Schema = """
        CREATE TABLE api_keys (
            id text NOT NULL PRIMARY KEY, tenant_id text NOT NULL, prefix text NOT NULL, name text, secret_hash bytea NOT NULL UNIQUE,
            scopes text NOT NULL, user_id text, agent_namespace text, created_at bigint NOT NULL, created_by text NOT NULL,
            expires_at bigint, revoked_at bigint, last_used_at bigint
        );
        CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, id);
        """;

    private const string Columns = ApiKeyRows.Columns;

    /// <inheritdoc />
    public Task AddAsync(ApiKey key, byte[] secretHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return database.WriteAsync(async (connection, transaction) =>
        {
            using var command = connection.Command($"""
                INSERT INTO api_keys ({Columns}, secret_hash)
                VALUES (@id, @tenant, @prefix, @name, @scopes, @user, @ns, @created, @by, @expires, NULL, NULL, @hash)
                """, transaction)
                .Bind("id", key.Id).Bind("tenant", key.TenantId).Bind("prefix", key.Prefix).Bind("name", key.Name)
                .Bind("scopes", string.Join(',', key.Scopes)).Bind("user", key.UserId).Bind("ns", key.AgentNamespace)
                .Bind("created", key.CreatedAt).Bind("by", key.CreatedBy).BindNullable("expires", key.ExpiresAt?.UtcTicks).Bind("hash", secretHash);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ApiKey?> FindByHashAsync(byte[] secretHash, CancellationToken cancellationToken) =>
        ApiKeyRows.First(await ReadAsync($"SELECT {Columns} FROM api_keys WHERE secret_hash = @hash", c => c.Bind("hash", secretHash), cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<ApiKey?> GetAsync(string tenantId, string keyId, CancellationToken cancellationToken) =>
        ApiKeyRows.First(await ReadAsync($"SELECT {Columns} FROM api_keys WHERE tenant_id = @tenant AND id = @id", c => c.Bind("tenant", tenantId).Bind("id", keyId), cancellationToken)
            .ConfigureAwait(false));

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKey>> ListAsync(string tenantId, int limit, string? afterId, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {Columns} FROM api_keys WHERE tenant_id = @tenant AND id > @after ORDER BY id COLLATE \"C\" LIMIT @limit",
            c => c.Bind("tenant", tenantId).Bind("after", afterId ?? "").Bind("limit", limit), cancellationToken);

    /// <inheritdoc />
    public async Task<ApiKey?> RevokeAsync(string tenantId, string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await database.WriteAsync(async (connection, transaction) =>
        {
            using var command = connection.Command("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, @at) WHERE tenant_id = @tenant AND id = @id", transaction)
                .Bind("at", at).Bind("tenant", tenantId).Bind("id", keyId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return await GetAsync(tenantId, keyId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task TouchAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var command = connection.Command("UPDATE api_keys SET last_used_at = GREATEST(COALESCE(last_used_at, 0), @at) WHERE id = @id", transaction)
                .Bind("at", at).Bind("id", keyId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<long> CountActiveAdminKeysAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            using var command = connection.Command("""
                SELECT count(*) FROM api_keys
                WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now) AND (',' || scopes || ',') LIKE '%,admin,%'
                """).Bind("now", now);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);

    private Task<IReadOnlyList<ApiKey>> ReadAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<ApiKey>>(async connection =>
        {
            using var command = connection.Command(sql);
            bind(command);
            return await command.ReadAllAsync(ApiKeyRows.Read, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
}
