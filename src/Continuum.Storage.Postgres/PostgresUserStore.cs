using Continuum.Errors;
using Continuum.Users;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>Users, identities and link codes in PostgreSQL; changes to an identity take its row (or its key's advisory lock) first.</summary>
public sealed class PostgresUserStore(PostgresDatabase database) : IUserStore
{
    // Merges can chain (a into b, b into c); following a few hops always reaches the survivor.
    private const int MaxMergeHops = 16;

    /// <inheritdoc />
    public async Task<(User User, bool Created)> ResolveAsync(string tenantId, string interfaceName, string externalUserId, string? displayName, string newUserId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (userId, created) = await database.WriteAsync(async (c, t) =>
        {
            // Two nodes seeing a new identity at once: the lock on its key lets one create the user, the other find it.
            using (var guard = c.Command("SELECT pg_advisory_xact_lock(hashtextextended(@key, 1))", t).Bind("key", $"{tenantId}\n{interfaceName}\n{externalUserId}"))
            {
                await guard.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (await IdentityUserAsync(c, t, tenantId, interfaceName, externalUserId, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return (existing, false);
            }

            using (var insert = c.Command("INSERT INTO users (tenant_id, id, display_name, created_at) VALUES (@tenant, @id, @name, @now)", t)
                .Bind("tenant", tenantId).Bind("id", newUserId).Bind("name", displayName).Bind("now", now))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await InsertIdentityAsync(c, t, tenantId, interfaceName, externalUserId, newUserId, displayName, now, cancellationToken).ConfigureAwait(false);
            return (newUserId, true);
        }, cancellationToken).ConfigureAwait(false);
        return (await GetAsync(tenantId, userId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", userId), created);
    }

    private static async Task<string?> IdentityUserAsync(NpgsqlConnection c, NpgsqlTransaction? t, string tenantId, string interfaceName, string externalUserId, CancellationToken cancellationToken)
    {
        using var command = c.Command("SELECT user_id FROM identities WHERE tenant_id = @tenant AND interface = @interface AND external_user_id = @external", t)
            .Bind("tenant", tenantId).Bind("interface", interfaceName).Bind("external", externalUserId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private static async Task InsertIdentityAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, string interfaceName, string externalUserId, string userId, string? displayName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var command = c.Command("""
            INSERT INTO identities (tenant_id, interface, external_user_id, user_id, display_name, created_at)
            VALUES (@tenant, @interface, @external, @user, @name, @now)
            ON CONFLICT (tenant_id, interface, external_user_id) DO UPDATE SET user_id = excluded.user_id, display_name = coalesce(excluded.display_name, identities.display_name)
            """, t)
            .Bind("tenant", tenantId).Bind("interface", interfaceName).Bind("external", externalUserId)
            .Bind("user", userId).Bind("name", displayName).Bind("now", now);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<User?> GetAsync(string tenantId, string userId, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            var id = userId;
            for (var hop = 0; hop < MaxMergeHops; hop++)
            {
                User user;
                string? mergedInto;
                using (var command = c.Command("SELECT id, display_name, created_at, merged_into FROM users WHERE tenant_id = @tenant AND id = @id").Bind("tenant", tenantId).Bind("id", id))
                {
                    var rows = await command.ReadAllAsync(r => (User: new User { Id = r.GetString(0), DisplayName = r.GetNullableString(1), CreatedAt = r.GetTime(2) }, Merged: r.GetNullableString(3)), cancellationToken)
                        .ConfigureAwait(false);
                    if (rows.Count == 0)
                    {
                        return null;
                    }

                    (user, mergedInto) = rows[0];
                }

                if (mergedInto is not null)
                {
                    id = mergedInto;
                    continue;
                }

                using var identities = c.Command("SELECT interface, external_user_id, user_id, display_name, created_at FROM identities WHERE tenant_id = @tenant AND user_id = @id ORDER BY created_at, interface")
                    .Bind("tenant", tenantId).Bind("id", user.Id);
                var list = await identities.ReadAllAsync(r => new Identity(r.GetString(0), r.GetString(1), r.GetString(2), r.GetNullableString(3), r.GetTime(4)), cancellationToken).ConfigureAwait(false);
                return user with { Identities = list };
            }

            return null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task SaveLinkCodeAsync(string tenantId, string codeHash, string userId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, t) =>
        {
            // Spent and stale codes are of no further use; clearing them here keeps the table small.
            using (var clean = c.Command("DELETE FROM link_codes WHERE expires_at < @now", t).Bind("now", now))
            {
                await clean.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using var insert = c.Command("INSERT INTO link_codes (tenant_id, code_hash, user_id, created_at, expires_at) VALUES (@tenant, @hash, @user, @now, @expires)", t)
                .Bind("tenant", tenantId).Bind("hash", codeHash).Bind("user", userId).Bind("now", now).Bind("expires", expiresAt);
            return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<User?> RedeemLinkCodeAsync(string tenantId, string codeHash, string interfaceName, string externalUserId, string? displayName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var target = await database.WriteAsync<string?>(async (c, t) =>
        {
            // The code's row is taken (and spent) first: of two redemptions at once, one wins.
            string? codeUser;
            using (var spend = c.Command("""
                UPDATE link_codes SET used_at = @now WHERE tenant_id = @tenant AND code_hash = @hash AND used_at IS NULL AND expires_at > @now
                RETURNING user_id
                """, t).Bind("tenant", tenantId).Bind("hash", codeHash).Bind("now", now))
            {
                codeUser = await spend.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            }

            if (codeUser is null)
            {
                return null;
            }

            var survivor = await SurvivorAsync(c, t, tenantId, codeUser, cancellationToken).ConfigureAwait(false);
            var previous = await IdentityUserAsync(c, t, tenantId, interfaceName, externalUserId, cancellationToken).ConfigureAwait(false);
            await InsertIdentityAsync(c, t, tenantId, interfaceName, externalUserId, survivor, displayName, now, cancellationToken).ConfigureAwait(false);
            if (previous is not null && previous != survivor)
            {
                using var remaining = c.Command("SELECT count(*) FROM identities WHERE tenant_id = @tenant AND user_id = @user", t).Bind("tenant", tenantId).Bind("user", previous);
                if ((long)(await remaining.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
                {
                    // The identity's old user was only that identity: its sessions follow it to the linked user.
                    await MergeAsync(c, t, tenantId, survivor, previous, cancellationToken).ConfigureAwait(false);
                }
            }

            return survivor;
        }, cancellationToken).ConfigureAwait(false);
        return target is null ? null : await GetAsync(tenantId, target, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> UnlinkAsync(string tenantId, string interfaceName, string externalUserId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, t) =>
        {
            using var command = c.Command("DELETE FROM identities WHERE tenant_id = @tenant AND interface = @interface AND external_user_id = @external", t)
                .Bind("tenant", tenantId).Bind("interface", interfaceName).Bind("external", externalUserId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<User> MergeAsync(string tenantId, string survivorId, string mergedId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var survivor = await database.WriteAsync(async (c, t) =>
        {
            var survivorRoot = await SurvivorAsync(c, t, tenantId, survivorId, cancellationToken).ConfigureAwait(false);
            var mergedRoot = await SurvivorAsync(c, t, tenantId, mergedId, cancellationToken).ConfigureAwait(false);
            if (survivorRoot == mergedRoot)
            {
                throw new ValidationException("userId", "is already the same user as the survivor.");
            }

            await MergeAsync(c, t, tenantId, survivorRoot, mergedRoot, cancellationToken).ConfigureAwait(false);
            return survivorRoot;
        }, cancellationToken).ConfigureAwait(false);
        return await GetAsync(tenantId, survivor, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", survivorId);
    }

    private static async Task<string> SurvivorAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, string userId, CancellationToken cancellationToken)
    {
        var id = userId;
        for (var hop = 0; hop < MaxMergeHops; hop++)
        {
            using var command = c.Command("SELECT merged_into FROM users WHERE tenant_id = @tenant AND id = @id FOR UPDATE", t).Bind("tenant", tenantId).Bind("id", id);
            var rows = await command.ReadAllAsync(r => r.GetNullableString(0), cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                throw new NotFoundException("User", userId);
            }

            if (rows[0] is not { } next)
            {
                return id;
            }

            id = next;
        }

        throw new ConflictException("merge-cycle", $"User '{userId}' has a merge chain longer than {MaxMergeHops}.");
    }

    private static async Task MergeAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, string survivor, string merged, CancellationToken cancellationToken)
    {
        foreach (var sql in (string[])[
            "UPDATE sessions SET user_id = @survivor WHERE tenant_id = @tenant AND user_id = @merged",
            "UPDATE events SET user_id = @survivor WHERE tenant_id = @tenant AND user_id = @merged",
            "UPDATE identities SET user_id = @survivor WHERE tenant_id = @tenant AND user_id = @merged",
            "UPDATE link_codes SET user_id = @survivor WHERE tenant_id = @tenant AND user_id = @merged",
            "UPDATE users SET merged_into = @survivor WHERE tenant_id = @tenant AND (id = @merged OR merged_into = @merged)",
            "UPDATE summaries SET user_id = @survivor WHERE tenant_id = @tenant AND user_id = @merged",
            "UPDATE memories SET user_id = @survivor WHERE tenant_id = @tenant AND user_id = @merged",
            "UPDATE embeddings SET user_id = @survivor WHERE tenant_id = @tenant AND user_id = @merged",
            """
            INSERT INTO user_entities (tenant_id, user_id, key, name, kind, first_seen, last_seen, mentions)
            SELECT tenant_id, @survivor, key, name, kind, first_seen, last_seen, mentions FROM user_entities
            WHERE tenant_id = @tenant AND user_id = @merged
            ON CONFLICT (tenant_id, user_id, key) DO UPDATE SET mentions = user_entities.mentions + excluded.mentions,
                first_seen = least(user_entities.first_seen, excluded.first_seen), last_seen = greatest(user_entities.last_seen, excluded.last_seen)
            """,
            "DELETE FROM user_entities WHERE tenant_id = @tenant AND user_id = @merged",
            """
            INSERT INTO user_entity_sessions (tenant_id, user_id, key, session_id, interface)
            SELECT tenant_id, @survivor, key, session_id, interface FROM user_entity_sessions WHERE tenant_id = @tenant AND user_id = @merged
            ON CONFLICT DO NOTHING
            """,
            "DELETE FROM user_entity_sessions WHERE tenant_id = @tenant AND user_id = @merged",
        ])
        {
            using var command = c.Command(sql, t).Bind("tenant", tenantId).Bind("survivor", survivor).Bind("merged", merged);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
