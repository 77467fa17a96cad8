using Continuum.Errors;
using Continuum.Users;

namespace Continuum.Storage.Sqlite;

/// <summary>Users, identities and link codes in SQLite.</summary>
public sealed class SqliteUserStore(SqliteDatabase database) : IUserStore
{
    // Merges can chain (a into b, b into c); following a few hops always reaches the survivor.
    private const int MaxMergeHops = 16;

    /// <inheritdoc />
    public async Task<(User User, bool Created)> ResolveAsync(string tenantId, string interfaceName, string externalUserId, string? displayName, string newUserId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await FindIdentityUserAsync(tenantId, interfaceName, externalUserId, cancellationToken).ConfigureAwait(false) is { } known)
        {
            return (await GetAsync(tenantId, known, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", known), false);
        }

        var (userId, created) = await database.WriteAsync(w =>
        {
            // Another caller may have created it since the read above; the writer decides.
            var existing = w.Command("SELECT user_id FROM identities WHERE tenant_id = $tenant AND interface = $interface AND external_user_id = $external")
                .Bind("$tenant", tenantId).Bind("$interface", interfaceName).Bind("$external", externalUserId).ExecuteScalar() as string;
            if (existing is not null)
            {
                return (existing, false);
            }

            w.Command("INSERT INTO users (tenant_id, id, display_name, created_at) VALUES ($tenant, $id, $name, $now)")
                .Bind("$tenant", tenantId).Bind("$id", newUserId).Bind("$name", displayName).Bind("$now", now).ExecuteNonQuery();
            InsertIdentity(w, tenantId, interfaceName, externalUserId, newUserId, displayName, now);
            return (newUserId, true);
        }, cancellationToken).ConfigureAwait(false);
        return (await GetAsync(tenantId, userId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", userId), created);
    }

    private async Task<string?> FindIdentityUserAsync(string tenantId, string interfaceName, string externalUserId, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT user_id FROM identities WHERE tenant_id = $tenant AND interface = $interface AND external_user_id = $external";
            command.Bind("$tenant", tenantId).Bind("$interface", interfaceName).Bind("$external", externalUserId);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
    }

    private static void InsertIdentity(SqliteWriteContext w, string tenantId, string interfaceName, string externalUserId, string userId, string? displayName, DateTimeOffset now) =>
        w.Command("""
            INSERT INTO identities (tenant_id, interface, external_user_id, user_id, display_name, created_at)
            VALUES ($tenant, $interface, $external, $user, $name, $now)
            ON CONFLICT (tenant_id, interface, external_user_id) DO UPDATE SET user_id = excluded.user_id, display_name = COALESCE(excluded.display_name, identities.display_name)
            """)
            .Bind("$tenant", tenantId).Bind("$interface", interfaceName).Bind("$external", externalUserId)
            .Bind("$user", userId).Bind("$name", displayName).Bind("$now", now).ExecuteNonQuery();

    /// <inheritdoc />
    public async Task<User?> GetAsync(string tenantId, string userId, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var id = userId;
            for (var hop = 0; hop < MaxMergeHops; hop++)
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT id, display_name, created_at, merged_into FROM users WHERE tenant_id = $tenant AND id = $id";
                command.Bind("$tenant", tenantId).Bind("$id", id);
                User user;
                string? mergedInto;
                using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return null;
                    }

                    user = new User { Id = reader.GetString(0), DisplayName = reader.GetNullableString(1), CreatedAt = reader.GetTime(2) };
                    mergedInto = reader.GetNullableString(3);
                }

                if (mergedInto is not null)
                {
                    id = mergedInto;
                    continue;
                }

                using var identities = connection.CreateCommand();
                identities.CommandText = "SELECT interface, external_user_id, user_id, display_name, created_at FROM identities WHERE tenant_id = $tenant AND user_id = $id ORDER BY created_at, interface";
                identities.Bind("$tenant", tenantId).Bind("$id", user.Id);
                var list = new List<Identity>();
                using var rows = await identities.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    list.Add(new Identity(rows.GetString(0), rows.GetString(1), rows.GetString(2), rows.GetNullableString(3), rows.GetTime(4)));
                }

                return user with { Identities = list };
            }

            return null;
        }
    }

    /// <inheritdoc />
    public Task SaveLinkCodeAsync(string tenantId, string codeHash, string userId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(w =>
        {
            // Spent and stale codes are of no further use; clearing them here keeps the table small.
            w.Command("DELETE FROM link_codes WHERE expires_at < $now").Bind("$now", now).ExecuteNonQuery();
            return w.Command("INSERT INTO link_codes (tenant_id, code_hash, user_id, created_at, expires_at) VALUES ($tenant, $hash, $user, $now, $expires)")
                .Bind("$tenant", tenantId).Bind("$hash", codeHash).Bind("$user", userId).Bind("$now", now).Bind("$expires", expiresAt)
                .ExecuteNonQuery();
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<User?> RedeemLinkCodeAsync(string tenantId, string codeHash, string interfaceName, string externalUserId, string? displayName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var target = await database.WriteAsync(w =>
        {
            var codeUser = w.Command("SELECT user_id FROM link_codes WHERE tenant_id = $tenant AND code_hash = $hash AND used_at IS NULL AND expires_at > $now")
                .Bind("$tenant", tenantId).Bind("$hash", codeHash).Bind("$now", now).ExecuteScalar() as string;
            if (codeUser is null)
            {
                return null;
            }

            w.Command("UPDATE link_codes SET used_at = $now WHERE code_hash = $hash").Bind("$now", now).Bind("$hash", codeHash).ExecuteNonQuery();
            var survivor = Survivor(w, tenantId, codeUser);
            var previous = w.Command("SELECT user_id FROM identities WHERE tenant_id = $tenant AND interface = $interface AND external_user_id = $external")
                .Bind("$tenant", tenantId).Bind("$interface", interfaceName).Bind("$external", externalUserId).ExecuteScalar() as string;
            InsertIdentity(w, tenantId, interfaceName, externalUserId, survivor, displayName, now);
            if (previous is not null && previous != survivor)
            {
                var remaining = Convert.ToInt64(w.Command("SELECT COUNT(*) FROM identities WHERE tenant_id = $tenant AND user_id = $user")
                    .Bind("$tenant", tenantId).Bind("$user", previous).ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                if (remaining == 0)
                {
                    // The identity's old user was only that identity: its sessions follow it to the linked user.
                    Merge(w, tenantId, survivor, previous);
                }
            }

            return survivor;
        }, cancellationToken).ConfigureAwait(false);
        return target is null ? null : await GetAsync(tenantId, target, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> UnlinkAsync(string tenantId, string interfaceName, string externalUserId, CancellationToken cancellationToken) =>
        database.WriteAsync(w => w.Command("DELETE FROM identities WHERE tenant_id = $tenant AND interface = $interface AND external_user_id = $external")
            .Bind("$tenant", tenantId).Bind("$interface", interfaceName).Bind("$external", externalUserId).ExecuteNonQuery() > 0, cancellationToken);

    /// <inheritdoc />
    public async Task<User> MergeAsync(string tenantId, string survivorId, string mergedId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var survivor = await database.WriteAsync(w =>
        {
            var survivorRoot = Survivor(w, tenantId, survivorId);
            var mergedRoot = Survivor(w, tenantId, mergedId);
            if (survivorRoot == mergedRoot)
            {
                throw new ValidationException("userId", "is already the same user as the survivor.");
            }

            Merge(w, tenantId, survivorRoot, mergedRoot);
            return survivorRoot;
        }, cancellationToken).ConfigureAwait(false);
        return await GetAsync(tenantId, survivor, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", survivorId);
    }

    private static string Survivor(SqliteWriteContext w, string tenantId, string userId)
    {
        var id = userId;
        for (var hop = 0; hop < MaxMergeHops; hop++)
        {
            using var reader = w.Command("SELECT merged_into FROM users WHERE tenant_id = $tenant AND id = $id").Bind("$tenant", tenantId).Bind("$id", id).ExecuteReader();
            if (!reader.Read())
            {
                throw new NotFoundException("User", userId);
            }

            if (reader.IsDBNull(0))
            {
                return id;
            }

            id = reader.GetString(0);
        }

        throw new ConflictException("merge-cycle", $"User '{userId}' has a merge chain longer than {MaxMergeHops}.");
    }

    private static void Merge(SqliteWriteContext w, string tenantId, string survivor, string merged)
    {
        foreach (var sql in (string[])[
            "UPDATE sessions SET user_id = $survivor WHERE tenant_id = $tenant AND user_id = $merged",
            "UPDATE events SET user_id = $survivor WHERE tenant_id = $tenant AND user_id = $merged",
            "UPDATE identities SET user_id = $survivor WHERE tenant_id = $tenant AND user_id = $merged",
            "UPDATE link_codes SET user_id = $survivor WHERE tenant_id = $tenant AND user_id = $merged",
            "UPDATE users SET merged_into = $survivor WHERE tenant_id = $tenant AND (id = $merged OR merged_into = $merged)",
            "UPDATE summaries SET user_id = $survivor WHERE tenant_id = $tenant AND user_id = $merged",
            "UPDATE memories SET user_id = $survivor WHERE tenant_id = $tenant AND user_id = $merged",
            "UPDATE embeddings SET user_id = $survivor WHERE tenant_id = $tenant AND user_id = $merged",
            """
            INSERT INTO user_entities (tenant_id, user_id, key, name, kind, first_seen, last_seen, mentions)
            SELECT tenant_id, $survivor, key, name, kind, first_seen, last_seen, mentions FROM user_entities
            WHERE tenant_id = $tenant AND user_id = $merged AND true
            ON CONFLICT (tenant_id, user_id, key) DO UPDATE SET mentions = mentions + excluded.mentions,
                first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)
            """,
            "DELETE FROM user_entities WHERE tenant_id = $tenant AND user_id = $merged",
            """
            INSERT OR IGNORE INTO user_entity_sessions (tenant_id, user_id, key, session_id, interface)
            SELECT tenant_id, $survivor, key, session_id, interface FROM user_entity_sessions WHERE tenant_id = $tenant AND user_id = $merged
            """,
            "DELETE FROM user_entity_sessions WHERE tenant_id = $tenant AND user_id = $merged",
        ])
        {
            w.Command(sql).Bind("$tenant", tenantId).Bind("$survivor", survivor).Bind("$merged", merged).ExecuteNonQuery();
        }
    }
}
