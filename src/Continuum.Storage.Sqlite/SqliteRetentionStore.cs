using Continuum.Lifecycle;
using Continuum.Security;

namespace Continuum.Storage.Sqlite;

/// <summary>
/// Retention in SQLite. Each batch is one unit of work of the writer; the full-text rows go with their rows (the
/// index triggers) and the embeddings are deleted by row in the same unit.
/// </summary>
public sealed class SqliteRetentionStore(SqliteDatabase database) : IRetentionStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> TenantsAsync(CancellationToken cancellationToken) =>
        await ReadListAsync("SELECT tenant_id FROM sessions UNION SELECT tenant_id FROM users UNION SELECT tenant_id FROM retention_policies", null, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, RetentionPolicy>> PoliciesAsync(CancellationToken cancellationToken)
    {
        var policies = new Dictionary<string, RetentionPolicy>(StringComparer.Ordinal);
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT tenant_id, policy FROM retention_policies";
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                policies[reader.GetString(0)] = RetentionRows.ReadPolicy(reader.GetString(1));
            }
        }

        return policies;
    }

    /// <inheritdoc />
    public async Task<RetentionPolicy?> GetPolicyAsync(string tenantId, CancellationToken cancellationToken)
    {
        var json = await ReadListAsync("SELECT policy FROM retention_policies WHERE tenant_id = $tenant", tenantId, cancellationToken).ConfigureAwait(false);
        return json.Count == 0 ? null : RetentionRows.ReadPolicy(json[0]);
    }

    /// <inheritdoc />
    public Task SetPolicyAsync(string tenantId, RetentionPolicy? policy, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        AuditRows.Check(audit);
        return database.WriteAsync(w =>
        {
            if (policy is null)
            {
                w.Command("DELETE FROM retention_policies WHERE tenant_id = $tenant").Bind("$tenant", tenantId).ExecuteNonQuery();
            }
            else
            {
                w.Command("INSERT INTO retention_policies (tenant_id, policy, updated_at) VALUES ($tenant, $policy, $at) ON CONFLICT (tenant_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at")
                    .Bind("$tenant", tenantId).Bind("$policy", RetentionRows.PolicyJson(policy)).Bind("$at", at).ExecuteNonQuery();
            }

            return SqliteAuditLog.Insert(w, audit);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> DeleteEventsAsync(string tenantId, DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyDictionary<string, long>>(w =>
        {
            var rows = Rows(w, "SELECT rowid FROM events WHERE tenant_id = $tenant AND created_at < $before ORDER BY created_at LIMIT $limit", tenantId, before, limit);
            return DeleteRows(w, "events", "event", rows);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> DeleteSummariesAsync(string tenantId, DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyDictionary<string, long>>(w =>
        {
            var rows = Rows(w, "SELECT rowid FROM summaries WHERE tenant_id = $tenant AND created_at < $before LIMIT $limit", tenantId, before, limit);
            return DeleteRows(w, "summaries", "summary", rows);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> DeleteMemoriesAsync(string tenantId, DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyDictionary<string, long>>(w =>
        {
            var rows = Rows(w, "SELECT rowid FROM memories WHERE tenant_id = $tenant AND updated_at < $before LIMIT $limit", tenantId, before, limit);
            return DeleteRows(w, "memories", "memory", rows);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> DeleteClosedSessionsAsync(string tenantId, DateTimeOffset lastActiveBefore, bool withMemories, int limit, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyDictionary<string, long>>(w =>
        {
            const string Due = "SELECT id FROM sessions WHERE tenant_id = $tenant AND status = 'closed' AND last_active_at < $before";

            // Their events first, a batch at a time: a session can hold far more events than one transaction should.
            var events = Rows(w, $"SELECT rowid FROM events WHERE tenant_id = $tenant AND session_id IN ({Due}) LIMIT $limit", tenantId, lastActiveBefore, limit);
            var counts = DeleteRows(w, "events", "event", events);
            if (events.Count == limit)
            {
                return counts;
            }

            var sessions = new List<string>();
            using (var read = w.Command(Due + " LIMIT $limit").Bind("$tenant", tenantId).Bind("$before", lastActiveBefore).Bind("$limit", limit).ExecuteReader())
            {
                while (read.Read())
                {
                    sessions.Add(read.GetString(0));
                }
            }

            if (sessions.Count == 0)
            {
                return counts;
            }

            long Run(string sql) => w.Command(sql).Bind("$tenant", tenantId).Bind("$ids", RetentionRows.IdsJson(sessions)).ExecuteNonQuery();
            const string Ids = "SELECT value FROM json_each($ids)";
            RetentionRows.Add(counts, "events", Run($"DELETE FROM events WHERE tenant_id = $tenant AND session_id IN ({Ids})"));
            RetentionRows.Add(counts, "embeddings", Run($"DELETE FROM embeddings WHERE item_kind = 'summary' AND item_rowid IN (SELECT rowid FROM summaries WHERE tenant_id = $tenant AND session_id IN ({Ids}))"));
            RetentionRows.Add(counts, "summaries", Run($"DELETE FROM summaries WHERE tenant_id = $tenant AND session_id IN ({Ids})"));
            if (withMemories)
            {
                RetentionRows.Add(counts, "embeddings", Run($"DELETE FROM embeddings WHERE item_kind = 'memory' AND item_rowid IN (SELECT rowid FROM memories WHERE tenant_id = $tenant AND session_id IN ({Ids}))"));
                RetentionRows.Add(counts, "memories", Run($"DELETE FROM memories WHERE tenant_id = $tenant AND session_id IN ({Ids})"));
            }

            Run($"DELETE FROM session_entities WHERE tenant_id = $tenant AND session_id IN ({Ids})");
            Run($"DELETE FROM user_entity_sessions WHERE tenant_id = $tenant AND session_id IN ({Ids})");
            Run($"DELETE FROM session_links WHERE tenant_id = $tenant AND (from_session_id IN ({Ids}) OR to_session_id IN ({Ids}))");
            RetentionRows.Add(counts, "sessions", Run($"DELETE FROM sessions WHERE tenant_id = $tenant AND id IN ({Ids})"));
            return counts;
        }, cancellationToken);

    /// <inheritdoc />
    public Task RecordRunAsync(string tenantId, IReadOnlyDictionary<string, long> removed, DateTimeOffset at, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(removed);
        return database.WriteAsync(w =>
        {
            foreach (var kind in RetentionRows.Kinds)
            {
                w.Command("INSERT INTO retention_totals (tenant_id, kind, removed, last_run_at) VALUES ($tenant, $kind, $n, $at) ON CONFLICT (tenant_id, kind) DO UPDATE SET removed = removed + excluded.removed, last_run_at = excluded.last_run_at")
                    .Bind("$tenant", tenantId).Bind("$kind", kind).Bind("$n", removed.GetValueOrDefault(kind)).Bind("$at", at).ExecuteNonQuery();
            }

            return audit is null ? 0 : SqliteAuditLog.Insert(w, audit);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<RetentionTotals> TotalsAsync(string tenantId, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {RetentionRows.TotalsColumns} FROM retention_totals WHERE tenant_id = $tenant";
            command.Bind("$tenant", tenantId);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await RetentionRows.ReadTotalsAsync(reader, cancellationToken).ConfigureAwait(false);
        }
    }

    private static List<long> Rows(SqliteWriteContext w, string sql, string tenantId, DateTimeOffset before, int limit)
    {
        var rows = new List<long>();
        using var read = w.Command(sql).Bind("$tenant", tenantId).Bind("$before", before).Bind("$limit", limit).ExecuteReader();
        while (read.Read())
        {
            rows.Add(read.GetInt64(0));
        }

        return rows;
    }

    // The rows' embeddings, then the rows (their full-text entries go with them through the index triggers).
    private static Dictionary<string, long> DeleteRows(SqliteWriteContext w, string table, string itemKind, List<long> rows)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal) { [table] = 0, ["embeddings"] = 0 };
        if (rows.Count == 0)
        {
            return counts;
        }

        var ids = RetentionRows.IdsJson(rows);
        counts["embeddings"] = w.Command("DELETE FROM embeddings WHERE item_kind = $kind AND item_rowid IN (SELECT value FROM json_each($ids))").Bind("$kind", itemKind).Bind("$ids", ids).ExecuteNonQuery();
        counts[table] = w.Command($"DELETE FROM {table} WHERE rowid IN (SELECT value FROM json_each($ids))").Bind("$ids", ids).ExecuteNonQuery();
        return counts;
    }

    private async Task<List<string>> ReadListAsync(string sql, string? tenantId, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            if (tenantId is not null)
            {
                command.Bind("$tenant", tenantId);
            }

            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                values.Add(reader.GetString(0));
            }
        }

        return values;
    }
}
