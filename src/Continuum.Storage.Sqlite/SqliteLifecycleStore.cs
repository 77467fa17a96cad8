using Continuum.Lifecycle;
using Continuum.Security;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>
/// The data lifecycle in SQLite. A forget runs as one unit of work of the writer (whose connection has
/// <c>secure_delete</c> on: freed cells and pages are zeroed) with the full-text indexes in their secure-delete mode (a deleted row's terms leave the
/// index at once instead of waiting for a merge), then checkpoints the write-ahead log so no older page is left there.
/// </summary>
public sealed class SqliteLifecycleStore(SqliteDatabase database) : ILifecycleStore
{
    private const string Sessions = "SELECT id FROM sessions WHERE tenant_id = $tenant AND user_id = $user";
    private static readonly string[] FullTextIndexes = ["events_fts", "summaries_fts", "memories_fts"];

    // Tables the forget handles by name, or that hold no user's data (the audit record of the forget is kept).
    private static readonly HashSet<string> Handled = new(StringComparer.OrdinalIgnoreCase)
    {
        "users", "identities", "link_codes", "sessions", "session_links", "events", "summaries", "session_entities",
        "user_entities", "user_entity_sessions", "memories", "embeddings", "shared_entries", "shared_keys", "agents",
        "hub_messages", "hub_inbox", "handoffs", "audit_log", "schema_migrations",
    };

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, long>> ForgetUserAsync(string tenantId, string userId, Func<IReadOnlyDictionary<string, long>, AuditEntry> audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var counts = await database.WriteAsync(w =>
        {
            foreach (var index in FullTextIndexes)
            {
                w.Execute($"INSERT INTO {index} ({index}, rank) VALUES ('secure-delete', 1)");
            }

            try
            {
                var erased = Forget(w, tenantId, userId);
                SqliteAuditLog.Insert(w, audit(erased));
                return erased;
            }
            finally
            {
                foreach (var index in FullTextIndexes)
                {
                    w.Execute($"INSERT INTO {index} ({index}, rank) VALUES ('secure-delete', 0)");
                }
            }
        }, cancellationToken).ConfigureAwait(false);
        await CheckpointAsync(cancellationToken).ConfigureAwait(false);
        return counts;
    }

    private static Dictionary<string, long> Forget(SqliteWriteContext w, string tenantId, string userId)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long Run(string sql) => w.Command(sql).Bind("$tenant", tenantId).Bind("$user", userId).ExecuteNonQuery();
        void Count(string kind, long n) => counts[kind] = counts.GetValueOrDefault(kind) + n;

        var sessionIds = new List<string>();
        using (var read = w.Command(Sessions).Bind("$tenant", tenantId).Bind("$user", userId).ExecuteReader())
        {
            while (read.Read())
            {
                sessionIds.Add(read.GetString(0));
            }
        }

        Count("embeddings", Run($"""
            DELETE FROM embeddings WHERE tenant_id = $tenant AND (user_id = $user
               OR (item_kind = 'event' AND item_rowid IN (SELECT rowid FROM events WHERE tenant_id = $tenant AND (user_id = $user OR session_id IN ({Sessions}))))
               OR (item_kind = 'summary' AND item_rowid IN (SELECT rowid FROM summaries WHERE tenant_id = $tenant AND (user_id = $user OR session_id IN ({Sessions}))))
               OR (item_kind = 'memory' AND item_rowid IN (SELECT rowid FROM memories WHERE tenant_id = $tenant AND (user_id = $user OR session_id IN ({Sessions})))))
            """));
        Count("events", Run($"DELETE FROM events WHERE tenant_id = $tenant AND (user_id = $user OR session_id IN ({Sessions}))"));
        Count("summaries", Run($"DELETE FROM summaries WHERE tenant_id = $tenant AND (user_id = $user OR session_id IN ({Sessions}))"));
        Count("memories", Run($"DELETE FROM memories WHERE tenant_id = $tenant AND (user_id = $user OR session_id IN ({Sessions}))"));
        Count("entities", Run("DELETE FROM user_entities WHERE tenant_id = $tenant AND user_id = $user"));
        Count("entities", Run($"DELETE FROM session_entities WHERE session_id IN ({Sessions})"));
        Run($"DELETE FROM user_entity_sessions WHERE tenant_id = $tenant AND (user_id = $user OR session_id IN ({Sessions}))");
        Count("links", Run($"DELETE FROM session_links WHERE from_session_id IN ({Sessions}) OR to_session_id IN ({Sessions})"));

        // Shared memory: every version their sessions wrote; a key left with no version at all goes too.
        var keys = new List<(string Namespace, string Key)>();
        using (var read = w.Command($"SELECT DISTINCT namespace, key FROM shared_entries WHERE tenant_id = $tenant AND author IN ({Sessions})").Bind("$tenant", tenantId).Bind("$user", userId).ExecuteReader())
        {
            while (read.Read())
            {
                keys.Add((read.GetString(0), read.GetString(1)));
            }
        }

        Count("sharedEntries", Run($"DELETE FROM shared_entries WHERE tenant_id = $tenant AND author IN ({Sessions})"));
        foreach (var (ns, key) in keys)
        {
            w.Command("DELETE FROM shared_keys WHERE tenant_id = $tenant AND namespace = $ns AND key = $key AND NOT EXISTS (SELECT 1 FROM shared_entries e WHERE e.tenant_id = $tenant AND e.namespace = $ns AND e.key = $key)")
                .Bind("$tenant", tenantId).Bind("$ns", ns).Bind("$key", key).ExecuteNonQuery();
        }

        // The hub: messages their sessions sent or were sent alone, their inboxes, their registrations.
        Run($"DELETE FROM hub_inbox WHERE tenant_id = $tenant AND (recipient IN ({Sessions}) OR message_id IN (SELECT id FROM hub_messages WHERE tenant_id = $tenant AND (from_session IN ({Sessions}) OR to_session IN ({Sessions}))))");
        Count("hubMessages", Run($"DELETE FROM hub_messages WHERE tenant_id = $tenant AND (from_session IN ({Sessions}) OR to_session IN ({Sessions}))"));
        Count("agents", Run($"DELETE FROM agents WHERE tenant_id = $tenant AND session_id IN ({Sessions})"));

        // Handoffs are the project's record: the references to their sessions and to them are dropped, the rest stays.
        var handoffs = new List<(string Id, string Document)>();
        using (var read = w.Command($"SELECT id, document FROM handoffs WHERE tenant_id = $tenant AND (session_id IN ({Sessions}) OR instr(document, $user) > 0)").Bind("$tenant", tenantId).Bind("$user", userId).ExecuteReader())
        {
            while (read.Read())
            {
                handoffs.Add((read.GetString(0), read.GetString(1)));
            }
        }

        foreach (var (id, document) in handoffs)
        {
            w.Command("UPDATE handoffs SET session_id = CASE WHEN session_id IN (" + Sessions + ") THEN NULL ELSE session_id END, document = $document WHERE tenant_id = $tenant AND id = $id")
                .Bind("$tenant", tenantId).Bind("$user", userId).Bind("$id", id).Bind("$document", LifecycleText.Scrub(document, [userId, .. sessionIds])).ExecuteNonQuery();
        }

        Count("handoffsScrubbed", handoffs.Count);

        // Tables added since (by other features) that carry a user or a session are swept by their columns.
        foreach (var (table, hasUser, hasSession) in UserTables(w))
        {
            long n = 0;
            if (hasUser)
            {
                n += Run($"DELETE FROM \"{table}\" WHERE user_id = $user");
            }

            if (hasSession)
            {
                n += Run($"DELETE FROM \"{table}\" WHERE session_id IN ({Sessions})");
            }

            Count(table, n);
        }

        Count("linkCodes", Run("DELETE FROM link_codes WHERE tenant_id = $tenant AND user_id = $user"));
        Count("identities", Run("DELETE FROM identities WHERE tenant_id = $tenant AND user_id = $user"));
        Count("sessions", Run("DELETE FROM sessions WHERE tenant_id = $tenant AND user_id = $user"));
        Count("users", Run("DELETE FROM users WHERE tenant_id = $tenant AND (id = $user OR merged_into = $user)"));
        return counts;
    }

    private static List<(string Table, bool HasUser, bool HasSession)> UserTables(SqliteWriteContext w)
    {
        var tables = new List<string>();
        using (var read = w.Command("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'").ExecuteReader())
        {
            while (read.Read())
            {
                tables.Add(read.GetString(0));
            }
        }

        var found = new List<(string, bool, bool)>();
        foreach (var table in tables.Where(t => !Handled.Contains(t)))
        {
            var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            using (var read = w.Command("SELECT name FROM pragma_table_info($table)").Bind("$table", table).ExecuteReader())
            {
                while (read.Read())
                {
                    columns.Add(read.GetString(0));
                }
            }

            if (columns.Contains("user_id") || columns.Contains("session_id"))
            {
                found.Add((table, columns.Contains("user_id"), columns.Contains("session_id")));
            }
        }

        return found;
    }

    // The write-ahead log still holds the pages as they were before the forget: merging it into the file and
    // truncating it leaves only the zeroed pages. A reader in the middle of a read can hold the log back; retry briefly.
    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                try
                {
                    using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.GetInt32(0) == 0)
                    {
                        return;
                    }
                }
                catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
                {
                    // Busy: another connection is writing; try again.
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
