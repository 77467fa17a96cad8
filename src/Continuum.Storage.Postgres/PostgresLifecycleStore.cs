using Continuum.Lifecycle;
using Continuum.Security;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// The data lifecycle in PostgreSQL. A forget is one transaction; the rows it deletes (their full-text vectors are
/// columns of the same rows) are reclaimed by vacuum.
/// </summary>
public sealed class PostgresLifecycleStore(PostgresDatabase database) : ILifecycleStore
{
    private const string Sessions = "SELECT id FROM sessions WHERE tenant_id = @tenant AND user_id = @user";

    private static readonly HashSet<string> Handled = new(StringComparer.OrdinalIgnoreCase)
    {
        "users", "identities", "link_codes", "sessions", "session_links", "events", "summaries", "session_entities",
        "user_entities", "user_entity_sessions", "memories", "embeddings", "shared_entries", "shared_keys", "agents",
        "hub_messages", "hub_inbox", "handoffs", "audit_log", "schema_migrations",
    };

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> ForgetUserAsync(string tenantId, string userId, Func<IReadOnlyDictionary<string, long>, AuditEntry> audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return database.WriteAsync<IReadOnlyDictionary<string, long>>(async (c, t) =>
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            async Task<long> Run(string sql)
            {
                using var command = c.Command(sql, t).Bind("tenant", tenantId).Bind("user", userId);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            void Count(string kind, long n) => counts[kind] = counts.GetValueOrDefault(kind) + n;

            // The user's row is locked first, so a concurrent open of a session for them waits for the forget.
            await Run("SELECT 1 FROM users WHERE tenant_id = @tenant AND id = @user FOR UPDATE").ConfigureAwait(false);
            List<string> sessionIds;
            using (var command = c.Command(Sessions, t).Bind("tenant", tenantId).Bind("user", userId))
            {
                sessionIds = await command.ReadAllAsync(r => r.GetString(0), cancellationToken).ConfigureAwait(false);
            }

            Count("embeddings", await Run($"""
                DELETE FROM embeddings WHERE tenant_id = @tenant AND (user_id = @user
                   OR (item_kind = 'event' AND item_rowid IN (SELECT row_id FROM events WHERE tenant_id = @tenant AND (user_id = @user OR session_id IN ({Sessions}))))
                   OR (item_kind = 'summary' AND item_rowid IN (SELECT row_id FROM summaries WHERE tenant_id = @tenant AND (user_id = @user OR session_id IN ({Sessions}))))
                   OR (item_kind = 'memory' AND item_rowid IN (SELECT row_id FROM memories WHERE tenant_id = @tenant AND (user_id = @user OR session_id IN ({Sessions})))))
                """).ConfigureAwait(false));
            Count("events", await Run($"DELETE FROM events WHERE tenant_id = @tenant AND (user_id = @user OR session_id IN ({Sessions}))").ConfigureAwait(false));
            Count("summaries", await Run($"DELETE FROM summaries WHERE tenant_id = @tenant AND (user_id = @user OR session_id IN ({Sessions}))").ConfigureAwait(false));
            Count("memories", await Run($"DELETE FROM memories WHERE tenant_id = @tenant AND (user_id = @user OR session_id IN ({Sessions}))").ConfigureAwait(false));
            Count("entities", await Run("DELETE FROM user_entities WHERE tenant_id = @tenant AND user_id = @user").ConfigureAwait(false));
            Count("entities", await Run($"DELETE FROM session_entities WHERE session_id IN ({Sessions})").ConfigureAwait(false));
            await Run($"DELETE FROM user_entity_sessions WHERE tenant_id = @tenant AND (user_id = @user OR session_id IN ({Sessions}))").ConfigureAwait(false);
            Count("links", await Run($"DELETE FROM session_links WHERE from_session_id IN ({Sessions}) OR to_session_id IN ({Sessions})").ConfigureAwait(false));

            // Shared memory: every version their sessions wrote; a key left with no version at all goes too.
            List<(string Namespace, string Key)> keys;
            using (var command = c.Command($"SELECT DISTINCT namespace, key FROM shared_entries WHERE tenant_id = @tenant AND author IN ({Sessions})", t).Bind("tenant", tenantId).Bind("user", userId))
            {
                keys = await command.ReadAllAsync(r => (r.GetString(0), r.GetString(1)), cancellationToken).ConfigureAwait(false);
            }

            Count("sharedEntries", await Run($"DELETE FROM shared_entries WHERE tenant_id = @tenant AND author IN ({Sessions})").ConfigureAwait(false));
            foreach (var (ns, key) in keys)
            {
                using var command = c.Command("DELETE FROM shared_keys WHERE tenant_id = @tenant AND namespace = @ns AND key = @key AND NOT EXISTS (SELECT 1 FROM shared_entries e WHERE e.tenant_id = @tenant AND e.namespace = @ns AND e.key = @key)", t)
                    .Bind("tenant", tenantId).Bind("ns", ns).Bind("key", key);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await Run($"DELETE FROM hub_inbox WHERE tenant_id = @tenant AND (recipient IN ({Sessions}) OR message_id IN (SELECT id FROM hub_messages WHERE tenant_id = @tenant AND (from_session IN ({Sessions}) OR to_session IN ({Sessions}))))").ConfigureAwait(false);
            Count("hubMessages", await Run($"DELETE FROM hub_messages WHERE tenant_id = @tenant AND (from_session IN ({Sessions}) OR to_session IN ({Sessions}))").ConfigureAwait(false));
            Count("agents", await Run($"DELETE FROM agents WHERE tenant_id = @tenant AND session_id IN ({Sessions})").ConfigureAwait(false));

            List<(string Id, string Document)> handoffs;
            using (var command = c.Command($"SELECT id, document::text FROM handoffs WHERE tenant_id = @tenant AND (session_id IN ({Sessions}) OR strpos(document::text, @user) > 0)", t)
                .Bind("tenant", tenantId).Bind("user", userId))
            {
                handoffs = await command.ReadAllAsync(r => (r.GetString(0), r.GetString(1)), cancellationToken).ConfigureAwait(false);
            }

            foreach (var (id, document) in handoffs)
            {
                using var command = c.Command($"UPDATE handoffs SET session_id = CASE WHEN session_id IN ({Sessions}) THEN NULL ELSE session_id END, document = @document::jsonb WHERE tenant_id = @tenant AND id = @id", t)
                    .Bind("tenant", tenantId).Bind("user", userId).Bind("id", id).Bind("document", LifecycleText.Scrub(document, [userId, .. sessionIds]));
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            Count("handoffsScrubbed", handoffs.Count);

            foreach (var (table, hasUser, hasSession) in await UserTablesAsync(c, t, cancellationToken).ConfigureAwait(false))
            {
                long n = 0;
                if (hasUser)
                {
                    n += await Run($"DELETE FROM \"{table}\" WHERE user_id = @user").ConfigureAwait(false);
                }

                if (hasSession)
                {
                    n += await Run($"DELETE FROM \"{table}\" WHERE session_id IN ({Sessions})").ConfigureAwait(false);
                }

                Count(table, n);
            }

            Count("linkCodes", await Run("DELETE FROM link_codes WHERE tenant_id = @tenant AND user_id = @user").ConfigureAwait(false));
            Count("identities", await Run("DELETE FROM identities WHERE tenant_id = @tenant AND user_id = @user").ConfigureAwait(false));
            Count("sessions", await Run("DELETE FROM sessions WHERE tenant_id = @tenant AND user_id = @user").ConfigureAwait(false));
            Count("users", await Run("DELETE FROM users WHERE tenant_id = @tenant AND (id = @user OR merged_into = @user)").ConfigureAwait(false));
            await PostgresAuditLog.InsertAsync(c, t, audit(counts), cancellationToken).ConfigureAwait(false);
            return counts;
        }, cancellationToken);
    }

    private static async Task<List<(string Table, bool HasUser, bool HasSession)>> UserTablesAsync(NpgsqlConnection c, NpgsqlTransaction t, CancellationToken cancellationToken)
    {
        using var command = c.Command("""
            SELECT table_name, bool_or(column_name = 'user_id'), bool_or(column_name = 'session_id')
            FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name IN ('user_id', 'session_id')
              AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')
            GROUP BY table_name
            """, t);
        var tables = await command.ReadAllAsync(r => (r.GetString(0), r.GetBoolean(1), r.GetBoolean(2)), cancellationToken).ConfigureAwait(false);
        return [.. tables.Where(x => !Handled.Contains(x.Item1))];
    }
}
