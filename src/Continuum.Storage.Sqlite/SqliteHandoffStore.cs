using System.Globalization;
using System.Text.Json;
using Continuum.Handoffs;
using Continuum.Json;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>
/// Handoffs and the knowledge base in SQLite. The knowledge base is kept as dated rows (decisions, insight
/// mentions, pending work with its closing time, architecture and code history), so the base as it was at any
/// time is a filter on those dates, and a handoff and its knowledge land in one transaction of the one writer.
/// </summary>
public sealed class SqliteHandoffStore(SqliteDatabase database) : IHandoffStore
{
    private const string HandoffColumns = "document";

    /// <inheritdoc />
    public Task<HandoffReceipt> AddAsync(string tenantId, Handoff handoff, Func<string, string, bool> achieves, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        ArgumentNullException.ThrowIfNull(achieves);
        var document = JsonSerializer.Serialize(handoff, JsonDefaults.Options);
        var at = KnowledgeFold.AtOf(handoff);
        return database.WriteAsync(w =>
        {
            SqliteCommand Command(string sql) => w.Command(sql).Bind("$tenant", tenantId).Bind("$project", handoff.Project).Bind("$at", at).Bind("$handoff", handoff.Id);

            // The base as it stands, read on the one writer, then the fold's rows written.
            var open = ReadPending(Command("SELECT number, task, priority, opened_at, closed_at, closed_by, key FROM kb_pending WHERE tenant_id = $tenant AND project = $project AND closed_at IS NULL AND opened_at <= $at ORDER BY number"));
            var fold = KnowledgeFold.Of(handoff, NextNumber(w, "kb_decisions", tenantId, handoff.Project), open, NextNumber(w, "kb_pending", tenantId, handoff.Project), achieves);

            Command("INSERT INTO handoffs (tenant_id, id, project, session_id, author, at, hours, created_at, document) VALUES ($tenant, $handoff, $project, $session, $author, $at, $hours, $created, $document)")
                .Bind("$session", handoff.SessionId).Bind("$author", handoff.Author).Bind("$hours", fold.Hours).Bind("$created", handoff.CreatedAt).Bind("$document", document)
                .ExecuteNonQuery();
            foreach (var d in fold.Decisions)
            {
                Command("INSERT INTO kb_decisions (tenant_id, project, number, at, decision, reasoning, impact, status, handoff_id) VALUES ($tenant, $project, $number, $at, $decision, $reasoning, $impact, $status, $handoff)")
                    .Bind("$number", KnowledgeIds.Number(d.Id)).Bind("$decision", d.Decision).Bind("$reasoning", d.Reasoning).Bind("$impact", d.Impact).Bind("$status", d.Status)
                    .ExecuteNonQuery();
            }

            foreach (var (key, text, kind) in fold.Insights)
            {
                Command("INSERT INTO kb_insights (tenant_id, project, key, text, kind, first_seen) VALUES ($tenant, $project, $key, $text, $kind, $at) ON CONFLICT DO UPDATE SET first_seen = min(first_seen, excluded.first_seen)")
                    .Bind("$key", key).Bind("$text", text).Bind("$kind", kind).ExecuteNonQuery();
                Command("INSERT OR IGNORE INTO kb_insight_mentions (tenant_id, project, key, handoff_id, at) VALUES ($tenant, $project, $key, $handoff, $at)")
                    .Bind("$key", key).ExecuteNonQuery();
            }

            foreach (var work in fold.Closed)
            {
                Command("UPDATE kb_pending SET closed_at = $at, closed_by = $handoff WHERE tenant_id = $tenant AND project = $project AND number = $number")
                    .Bind("$number", KnowledgeIds.Number(work.Id)).ExecuteNonQuery();
            }

            foreach (var (work, key) in fold.Opened)
            {
                Command("INSERT INTO kb_pending (tenant_id, project, number, task, key, priority, opened_at, opened_by) VALUES ($tenant, $project, $number, $task, $key, $priority, $at, $handoff)")
                    .Bind("$number", KnowledgeIds.Number(work.Id)).Bind("$task", work.Task).Bind("$key", key).Bind("$priority", work.Priority)
                    .ExecuteNonQuery();
            }

            foreach (var (component, value) in fold.Architecture)
            {
                Command("INSERT INTO kb_architecture (tenant_id, project, component, at, handoff_id, value) VALUES ($tenant, $project, $component, $at, $handoff, $value)")
                    .Bind("$component", component).Bind("$value", value.GetRawText()).ExecuteNonQuery();
            }

            foreach (var (path, description) in fold.Code)
            {
                Command("INSERT INTO kb_code (tenant_id, project, path, at, handoff_id, description) VALUES ($tenant, $project, $path, $at, $handoff, $description) ON CONFLICT DO UPDATE SET description = coalesce(excluded.description, description)")
                    .Bind("$path", path).Bind("$description", description).ExecuteNonQuery();
            }

            return fold.Receipt;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Handoff?> GetAsync(string tenantId, string handoffId, CancellationToken cancellationToken)
    {
        var found = await ReadHandoffsAsync($"SELECT {HandoffColumns} FROM handoffs WHERE tenant_id = $tenant AND id = $id",
            c => c.Bind("$tenant", tenantId).Bind("$id", handoffId), cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Handoff>> ListAsync(string tenantId, string project, DateTimeOffset? since, DateTimeOffset? until, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        ReadHandoffsAsync($"SELECT {HandoffColumns} FROM handoffs WHERE tenant_id = $tenant AND project = $project AND at >= $since AND at <= $until AND ($c_id IS NULL OR at > $c_pos OR (at = $c_pos AND id > $c_id)) ORDER BY at, id LIMIT $limit",
            c => c.Bind("$tenant", tenantId).Bind("$project", project).Bind("$since", since ?? DateTimeOffset.MinValue).Bind("$until", until ?? DateTimeOffset.MaxValue).Bind("$limit", limit)
                .Bind("$c_pos", after?.Position ?? 0).Bind("$c_id", after?.Id),
            cancellationToken);

    /// <inheritdoc />
    public async Task<Handoff?> GetLastAsync(string tenantId, string project, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var found = await ReadHandoffsAsync($"SELECT {HandoffColumns} FROM handoffs WHERE tenant_id = $tenant AND project = $project AND at <= $asOf ORDER BY at DESC, id DESC LIMIT 1",
            c => c.Bind("$tenant", tenantId).Bind("$project", project).Bind("$asOf", asOf), cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListProjectsAsync(string tenantId, int limit, string? after, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT DISTINCT project FROM handoffs WHERE tenant_id = $tenant AND ($after IS NULL OR project > $after) ORDER BY project LIMIT $limit";
            command.Bind("$tenant", tenantId).Bind("$after", after).Bind("$limit", limit);
            var projects = new List<string>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                projects.Add(reader.GetString(0));
            }

            return projects;
        }
    }

    /// <inheritdoc />
    public async Task<KnowledgeBase> GetKnowledgeAsync(string tenantId, string project, DateTimeOffset asOf, int? top, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One read transaction: every part describes the same moment even while handoffs land.
            using var transaction = connection.BeginTransaction(deferred: true);
            var limit = top ?? -1;
            var briefing = top is not null;
            SqliteCommand Command(string sql)
            {
                var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = sql;
                command.Bind("$tenant", tenantId).Bind("$project", project).Bind("$asOf", asOf).Bind("$limit", limit);
                return command;
            }

            List<T> Read<T>(string sql, Func<SqliteDataReader, T> row)
            {
                using var command = Command(sql);
                using var reader = command.ExecuteReader();
                var items = new List<T>();
                while (reader.Read())
                {
                    items.Add(row(reader));
                }

                return items;
            }

            int Count(string sql) => Convert.ToInt32(Command(sql).ExecuteScalar(), CultureInfo.InvariantCulture);

            const string Scope = "tenant_id = $tenant AND project = $project";
            var (total, hours, last) = Read($"SELECT COUNT(*), COALESCE(SUM(hours), 0), MAX(at) FROM handoffs WHERE {Scope} AND at <= $asOf",
                r => (r.GetInt32(0), r.GetDouble(1), r.IsDBNull(2) ? (DateTimeOffset?)null : r.GetTime(2)))[0];

            var decisions = Read($"SELECT number, at, decision, reasoning, impact, status, handoff_id FROM kb_decisions WHERE {Scope} AND at <= $asOf ORDER BY number {(briefing ? "DESC" : "")} LIMIT $limit",
                r => new KnowledgeDecision(KnowledgeIds.Decision(r.GetInt64(0)), r.GetTime(1), r.GetString(2), r.GetNullableString(3), r.GetNullableString(4), r.GetString(5), r.GetString(6)));

            // Mentions are counted first (a covering scan), the texts joined to the few keys kept.
            var insights = Read($"""
                SELECT i.text, i.kind, m.first, m.mentions FROM (
                    SELECT key, MIN(at) AS first, COUNT(*) AS mentions FROM kb_insight_mentions
                    WHERE {Scope} AND at <= $asOf GROUP BY key ORDER BY mentions DESC, first {(briefing ? "DESC" : "")} LIMIT $limit) m
                JOIN kb_insights i ON i.tenant_id = $tenant AND i.project = $project AND i.key = m.key
                ORDER BY m.mentions DESC, m.first {(briefing ? "DESC" : "")}
                """, r => new KnowledgeInsight(r.GetString(0), r.GetString(1), r.GetTime(2), r.GetInt32(3)));

            // Work closed after asOf was still open then.
            const string Pending = "SELECT number, task, priority, opened_at, CASE WHEN closed_at <= $asOf THEN closed_at END, CASE WHEN closed_at <= $asOf THEN closed_by END FROM kb_pending";
            const string IsOpen = "(closed_at IS NULL OR closed_at > $asOf)";
            static PendingWork PendingRow(SqliteDataReader r) =>
                PendingWork.Of(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetTime(3), r.IsDBNull(4) ? null : r.GetTime(4), r.GetNullableString(5));

            var pending = briefing
                ? [.. Read($"{Pending} WHERE {Scope} AND opened_at <= $asOf AND {IsOpen} ORDER BY CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, opened_at, number LIMIT $limit", PendingRow),
                   .. Read($"{Pending} WHERE {Scope} AND opened_at <= $asOf AND NOT {IsOpen} ORDER BY closed_at DESC, number LIMIT $limit", PendingRow)]
                : Read($"{Pending} WHERE {Scope} AND opened_at <= $asOf ORDER BY number", PendingRow);

            var architecture = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
            // SQLite takes the bare columns of an aggregate query from the row holding the MAX.
            foreach (var (component, value) in Read($"""
                SELECT component, value, MAX(at) FROM kb_architecture
                WHERE {Scope} AND at <= $asOf GROUP BY component ORDER BY MAX(at) DESC LIMIT $limit
                """, r => (r.GetString(0), r.GetString(1))))
            {
                architecture[component] = SqliteRows.ParseElement(value);
            }

            // The latest description of each file: the greatest 'time|description' among the rows that have one.
            var code = Read($"""
                SELECT path, MAX(at), substr(MAX(CASE WHEN description IS NOT NULL THEN printf('%020d|', at) || description END), 22)
                FROM kb_code WHERE {Scope} AND at <= $asOf
                GROUP BY path ORDER BY {(briefing ? "MAX(at) DESC, path" : "path")} LIMIT $limit
                """, r => new CodeEntry(r.GetString(0), r.GetNullableString(2), r.GetTime(1)));

            var counts = briefing
                ? new KnowledgeCounts(
                    Count($"SELECT COUNT(*) FROM kb_decisions WHERE {Scope} AND at <= $asOf"),
                    Count($"SELECT COUNT(*) FROM kb_pending WHERE {Scope} AND opened_at <= $asOf AND {IsOpen}"),
                    Count($"SELECT COUNT(*) FROM kb_pending WHERE {Scope} AND opened_at <= $asOf AND NOT {IsOpen}"),
                    Count($"SELECT COUNT(DISTINCT key) FROM kb_insight_mentions WHERE {Scope} AND at <= $asOf"),
                    Count($"SELECT COUNT(DISTINCT component) FROM kb_architecture WHERE {Scope} AND at <= $asOf"),
                    Count($"SELECT COUNT(DISTINCT path) FROM kb_code WHERE {Scope} AND at <= $asOf"))
                : null;

            return KnowledgeBase.Assemble(project, asOf, (total, hours, last), decisions, insights, pending, architecture, code, counts);
        }
    }

    private static long NextNumber(SqliteWriteContext w, string table, string tenantId, string project) =>
        Convert.ToInt64(w.Command($"SELECT COALESCE(MAX(number), 0) + 1 FROM {table} WHERE tenant_id = $tenant AND project = $project")
            .Bind("$tenant", tenantId).Bind("$project", project).ExecuteScalar(), CultureInfo.InvariantCulture);

    private static List<(PendingWork Work, string Key)> ReadPending(SqliteCommand command)
    {
        var items = new List<(PendingWork, string)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            items.Add((PendingWork.Of(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetTime(3), reader.IsDBNull(4) ? null : reader.GetTime(4), reader.GetNullableString(5)),
                reader.GetString(6)));
        }

        return items;
    }

    private async Task<IReadOnlyList<Handoff>> ReadHandoffsAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            var items = new List<Handoff>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(JsonSerializer.Deserialize<Handoff>(reader.GetString(0), JsonDefaults.Options)!);
            }

            return items;
        }
    }
}
