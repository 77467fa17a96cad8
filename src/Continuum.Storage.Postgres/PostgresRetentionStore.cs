using Continuum.Lifecycle;
using Continuum.Security;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// Retention in PostgreSQL. Each batch is one transaction; the full-text vectors are columns of the rows deleted,
/// and the embeddings of those rows are deleted in the same transaction.
/// </summary>
public sealed class PostgresRetentionStore(PostgresDatabase database) : IRetentionStore
{
    private const string Due = "SELECT id FROM sessions WHERE tenant_id = @tenant AND status = 'closed' AND last_active_at < @before";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> TenantsAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<string>>(async c =>
        {
            using var command = c.Command("SELECT tenant_id FROM sessions UNION SELECT tenant_id FROM users UNION SELECT tenant_id FROM retention_policies");
            return await command.ReadAllAsync(r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, RetentionPolicy>> PoliciesAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<string, RetentionPolicy>>(async c =>
        {
            using var command = c.Command("SELECT tenant_id, policy FROM retention_policies");
            var rows = await command.ReadAllAsync(r => (r.GetString(0), RetentionRows.ReadPolicy(r.GetString(1))), cancellationToken).ConfigureAwait(false);
            return rows.ToDictionary(r => r.Item1, r => r.Item2, StringComparer.Ordinal);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<RetentionPolicy?> GetPolicyAsync(string tenantId, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            using var command = c.Command("SELECT policy FROM retention_policies WHERE tenant_id = @tenant").Bind("tenant", tenantId);
            var rows = await command.ReadAllAsync(r => r.GetString(0), cancellationToken).ConfigureAwait(false);
            return rows.Count == 0 ? null : RetentionRows.ReadPolicy(rows[0]);
        }, cancellationToken);

    /// <inheritdoc />
    public Task SetPolicyAsync(string tenantId, RetentionPolicy? policy, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        AuditRows.Check(audit);
        return database.WriteAsync(async (c, t) =>
        {
            using var command = policy is null
                ? c.Command("DELETE FROM retention_policies WHERE tenant_id = @tenant", t).Bind("tenant", tenantId)
                : c.Command("INSERT INTO retention_policies (tenant_id, policy, updated_at) VALUES (@tenant, @policy, @at) ON CONFLICT (tenant_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at", t)
                    .Bind("tenant", tenantId).Bind("policy", RetentionRows.PolicyJson(policy)).Bind("at", at);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return await PostgresAuditLog.InsertAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> DeleteEventsAsync(string tenantId, DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        DeleteRowsAsync("events", "event", "SELECT row_id FROM events WHERE tenant_id = @tenant AND created_at < @before ORDER BY created_at LIMIT @limit", tenantId, before, limit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> DeleteSummariesAsync(string tenantId, DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        DeleteRowsAsync("summaries", "summary", "SELECT row_id FROM summaries WHERE tenant_id = @tenant AND created_at < @before LIMIT @limit", tenantId, before, limit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> DeleteMemoriesAsync(string tenantId, DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        DeleteRowsAsync("memories", "memory", "SELECT row_id FROM memories WHERE tenant_id = @tenant AND updated_at < @before LIMIT @limit", tenantId, before, limit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> DeleteClosedSessionsAsync(string tenantId, DateTimeOffset lastActiveBefore, bool withMemories, int limit, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyDictionary<string, long>>(async (c, t) =>
        {
            // Their events first, a batch at a time: a session can hold far more events than one transaction should.
            var events = await RowsAsync(c, t, $"SELECT row_id FROM events WHERE tenant_id = @tenant AND session_id IN ({Due}) LIMIT @limit", tenantId, lastActiveBefore, limit, cancellationToken).ConfigureAwait(false);
            var counts = await DeleteRowsAsync(c, t, "events", "event", events, cancellationToken).ConfigureAwait(false);
            if (events.Length == limit)
            {
                return counts;
            }

            List<string> sessions;
            using (var command = c.Command(Due + " LIMIT @limit FOR UPDATE", t).Bind("tenant", tenantId).Bind("before", lastActiveBefore).Bind("limit", limit))
            {
                sessions = await command.ReadAllAsync(r => r.GetString(0), cancellationToken).ConfigureAwait(false);
            }

            if (sessions.Count == 0)
            {
                return counts;
            }

            var ids = sessions.ToArray();
            async Task<long> Run(string sql)
            {
                using var command = c.Command(sql, t).Bind("tenant", tenantId).Bind("ids", ids);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            RetentionRows.Add(counts, "events", await Run("DELETE FROM events WHERE tenant_id = @tenant AND session_id = ANY(@ids)").ConfigureAwait(false));
            RetentionRows.Add(counts, "embeddings", await Run("DELETE FROM embeddings WHERE item_kind = 'summary' AND item_rowid IN (SELECT row_id FROM summaries WHERE tenant_id = @tenant AND session_id = ANY(@ids))").ConfigureAwait(false));
            RetentionRows.Add(counts, "summaries", await Run("DELETE FROM summaries WHERE tenant_id = @tenant AND session_id = ANY(@ids)").ConfigureAwait(false));
            if (withMemories)
            {
                RetentionRows.Add(counts, "embeddings", await Run("DELETE FROM embeddings WHERE item_kind = 'memory' AND item_rowid IN (SELECT row_id FROM memories WHERE tenant_id = @tenant AND session_id = ANY(@ids))").ConfigureAwait(false));
                RetentionRows.Add(counts, "memories", await Run("DELETE FROM memories WHERE tenant_id = @tenant AND session_id = ANY(@ids)").ConfigureAwait(false));
            }

            await Run("DELETE FROM session_entities WHERE tenant_id = @tenant AND session_id = ANY(@ids)").ConfigureAwait(false);
            await Run("DELETE FROM user_entity_sessions WHERE tenant_id = @tenant AND session_id = ANY(@ids)").ConfigureAwait(false);
            await Run("DELETE FROM session_links WHERE tenant_id = @tenant AND (from_session_id = ANY(@ids) OR to_session_id = ANY(@ids))").ConfigureAwait(false);
            RetentionRows.Add(counts, "sessions", await Run("DELETE FROM sessions WHERE tenant_id = @tenant AND id = ANY(@ids)").ConfigureAwait(false));
            return counts;
        }, cancellationToken);

    /// <inheritdoc />
    public Task RecordRunAsync(string tenantId, IReadOnlyDictionary<string, long> removed, DateTimeOffset at, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(removed);
        return database.WriteAsync(async (c, t) =>
        {
            foreach (var kind in RetentionRows.Kinds)
            {
                using var command = c.Command("INSERT INTO retention_totals (tenant_id, kind, removed, last_run_at) VALUES (@tenant, @kind, @n, @at) ON CONFLICT (tenant_id, kind) DO UPDATE SET removed = retention_totals.removed + excluded.removed, last_run_at = excluded.last_run_at", t)
                    .Bind("tenant", tenantId).Bind("kind", kind).Bind("n", removed.GetValueOrDefault(kind)).Bind("at", at);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return audit is null ? 0 : await PostgresAuditLog.InsertAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<RetentionTotals> TotalsAsync(string tenantId, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            using var command = c.Command($"SELECT {RetentionRows.TotalsColumns} FROM retention_totals WHERE tenant_id = @tenant").Bind("tenant", tenantId);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await RetentionRows.ReadTotalsAsync(reader, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    private Task<IReadOnlyDictionary<string, long>> DeleteRowsAsync(string table, string itemKind, string select, string tenantId, DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyDictionary<string, long>>(async (c, t) =>
        {
            var rows = await RowsAsync(c, t, select, tenantId, before, limit, cancellationToken).ConfigureAwait(false);
            return await DeleteRowsAsync(c, t, table, itemKind, rows, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    private static async Task<long[]> RowsAsync(NpgsqlConnection c, NpgsqlTransaction t, string sql, string tenantId, DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        using var command = c.Command(sql, t).Bind("tenant", tenantId).Bind("before", before).Bind("limit", limit);
        return [.. await command.ReadAllAsync(r => r.GetInt64(0), cancellationToken).ConfigureAwait(false)];
    }

    // The rows' embeddings, then the rows (their full-text vectors are columns of the same rows).
    private static async Task<Dictionary<string, long>> DeleteRowsAsync(NpgsqlConnection c, NpgsqlTransaction t, string table, string itemKind, long[] rows, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal) { [table] = 0, ["embeddings"] = 0 };
        if (rows.Length == 0)
        {
            return counts;
        }

        using (var command = c.Command("DELETE FROM embeddings WHERE item_kind = @kind AND item_rowid = ANY(@rows)", t).Bind("kind", itemKind).Bind("rows", rows))
        {
            counts["embeddings"] = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var command = c.Command($"DELETE FROM {table} WHERE row_id = ANY(@rows)", t).Bind("rows", rows))
        {
            counts[table] = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return counts;
    }
}
