using System.Globalization;
using System.Text.Json;
using Continuum.Handoffs;
using Continuum.Json;
using Npgsql;
using NpgsqlTypes;

namespace Continuum.Storage.Postgres;

/// <summary>
/// Handoffs and the knowledge base in PostgreSQL, as dated rows (so the base as it was at any time is a filter on
/// dates). A handoff and its knowledge land in one transaction that holds the project's advisory lock, so
/// handoffs written through several nodes at once number their decisions and tasks without gaps or clashes.
/// </summary>
public sealed class PostgresHandoffStore(PostgresDatabase database) : IHandoffStore
{
    /// <inheritdoc />
    public Task<HandoffReceipt> AddAsync(string tenantId, Handoff handoff, Func<string, string, bool> achieves, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        ArgumentNullException.ThrowIfNull(achieves);
        var document = JsonSerializer.Serialize(handoff, JsonDefaults.Options);
        var at = KnowledgeFold.AtOf(handoff);
        return database.WriteAsync(async (c, t) =>
        {
            async Task Run(string sql, Action<NpgsqlCommand> bind)
            {
                using var command = c.Command(sql, t).Bind("tenant", tenantId).Bind("project", handoff.Project).Bind("at", at).Bind("handoff", handoff.Id);
                bind(command);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // The base as it stands, read under the project's lock, then the fold's rows written.
            await Run("SELECT pg_advisory_xact_lock(hashtextextended(@tenant || E'\\n' || @project, 2))", _ => { }).ConfigureAwait(false);
            List<(PendingWork Work, string Key)> open;
            using (var read = c.Command("SELECT number, task, priority, opened_at, key FROM kb_pending WHERE tenant_id = @tenant AND project = @project AND closed_at IS NULL AND opened_at <= @at ORDER BY number", t)
                .Bind("tenant", tenantId).Bind("project", handoff.Project).Bind("at", at))
            {
                open = await read.ReadAllAsync(r => (PendingWork.Of(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetTime(3), null, null), r.GetString(4)), cancellationToken)
                    .ConfigureAwait(false);
            }

            var nextDecision = await NextNumberAsync(c, t, "kb_decisions", tenantId, handoff.Project, cancellationToken).ConfigureAwait(false);
            var nextTask = await NextNumberAsync(c, t, "kb_pending", tenantId, handoff.Project, cancellationToken).ConfigureAwait(false);
            var fold = KnowledgeFold.Of(handoff, nextDecision, open, nextTask, achieves);

            await Run("INSERT INTO handoffs (tenant_id, id, project, session_id, author, at, hours, created_at, document) VALUES (@tenant, @handoff, @project, @session, @author, @at, @hours, @created, @document)",
                x => x.Bind("session", handoff.SessionId).Bind("author", handoff.Author).Bind("hours", fold.Hours).Bind("created", handoff.CreatedAt)
                    .Parameters.Add(new NpgsqlParameter("document", NpgsqlDbType.Jsonb) { Value = document })).ConfigureAwait(false);
            foreach (var d in fold.Decisions)
            {
                await Run("INSERT INTO kb_decisions (tenant_id, project, number, at, decision, reasoning, impact, status, handoff_id) VALUES (@tenant, @project, @number, @at, @decision, @reasoning, @impact, @status, @handoff)",
                    x => x.Bind("number", KnowledgeIds.Number(d.Id)).Bind("decision", d.Decision).Bind("reasoning", d.Reasoning).Bind("impact", d.Impact).Bind("status", d.Status)).ConfigureAwait(false);
            }

            foreach (var (key, text, kind) in fold.Insights)
            {
                await Run("""
                    INSERT INTO kb_insights (tenant_id, project, key, text, kind, first_seen) VALUES (@tenant, @project, @key, @text, @kind, @at)
                    ON CONFLICT (tenant_id, project, key) DO UPDATE SET first_seen = least(kb_insights.first_seen, excluded.first_seen)
                    """, x => x.Bind("key", key).Bind("text", text).Bind("kind", kind)).ConfigureAwait(false);
                await Run("INSERT INTO kb_insight_mentions (tenant_id, project, key, handoff_id, at) VALUES (@tenant, @project, @key, @handoff, @at) ON CONFLICT DO NOTHING",
                    x => x.Bind("key", key)).ConfigureAwait(false);
            }

            foreach (var work in fold.Closed)
            {
                await Run("UPDATE kb_pending SET closed_at = @at, closed_by = @handoff WHERE tenant_id = @tenant AND project = @project AND number = @number",
                    x => x.Bind("number", KnowledgeIds.Number(work.Id))).ConfigureAwait(false);
            }

            foreach (var (work, key) in fold.Opened)
            {
                await Run("INSERT INTO kb_pending (tenant_id, project, number, task, key, priority, opened_at, opened_by) VALUES (@tenant, @project, @number, @task, @key, @priority, @at, @handoff)",
                    x => x.Bind("number", KnowledgeIds.Number(work.Id)).Bind("task", work.Task).Bind("key", key).Bind("priority", work.Priority)).ConfigureAwait(false);
            }

            foreach (var (component, value) in fold.Architecture)
            {
                await Run("INSERT INTO kb_architecture (tenant_id, project, component, at, handoff_id, value) VALUES (@tenant, @project, @component, @at, @handoff, @value)",
                    x => x.Bind("component", component).Parameters.Add(new NpgsqlParameter("value", NpgsqlDbType.Jsonb) { Value = value.GetRawText() })).ConfigureAwait(false);
            }

            foreach (var (path, description) in fold.Code)
            {
                await Run("""
                    INSERT INTO kb_code (tenant_id, project, path, at, handoff_id, description) VALUES (@tenant, @project, @path, @at, @handoff, @description)
                    ON CONFLICT (tenant_id, project, path, handoff_id) DO UPDATE SET description = coalesce(excluded.description, kb_code.description)
                    """, x => x.Bind("path", path).Bind("description", description)).ConfigureAwait(false);
            }

            return fold.Receipt;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Handoff?> GetAsync(string tenantId, string handoffId, CancellationToken cancellationToken) =>
        (await ReadHandoffsAsync("SELECT document::text FROM handoffs WHERE tenant_id = @tenant AND id = @id", x => x.Bind("tenant", tenantId).Bind("id", handoffId), cancellationToken).ConfigureAwait(false)) is [var found, ..] ? found : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<Handoff>> ListAsync(string tenantId, string project, DateTimeOffset? since, DateTimeOffset? until, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        ReadHandoffsAsync("SELECT document::text FROM handoffs WHERE tenant_id = @tenant AND project = @project AND at >= @since AND at <= @until AND (@c_id::text IS NULL OR at > @c_pos OR (at = @c_pos AND id > @c_id)) ORDER BY at, id LIMIT @limit",
            x => x.Bind("tenant", tenantId).Bind("project", project).Bind("since", since ?? DateTimeOffset.MinValue).Bind("until", until ?? DateTimeOffset.MaxValue).Bind("limit", limit)
                .Bind("c_pos", after?.Position ?? 0L).Bind("c_id", after?.Id),
            cancellationToken);

    /// <inheritdoc />
    public async Task<Handoff?> GetLastAsync(string tenantId, string project, DateTimeOffset asOf, CancellationToken cancellationToken) =>
        (await ReadHandoffsAsync("SELECT document::text FROM handoffs WHERE tenant_id = @tenant AND project = @project AND at <= @asOf ORDER BY at DESC, id DESC LIMIT 1",
            x => x.Bind("tenant", tenantId).Bind("project", project).Bind("asOf", asOf), cancellationToken).ConfigureAwait(false)) is [var found, ..] ? found : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListProjectsAsync(string tenantId, int limit, string? after, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<string>>(async c =>
        {
            using var command = c.Command("SELECT DISTINCT project FROM handoffs WHERE tenant_id = @tenant AND (@after::text IS NULL OR project > @after) ORDER BY project LIMIT @limit")
                .Bind("tenant", tenantId).Bind("after", after).Bind("limit", limit);
            return await command.ReadAllAsync(r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<KnowledgeBase> GetKnowledgeAsync(string tenantId, string project, DateTimeOffset asOf, int? top, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            // One repeatable-read snapshot: every part describes the same moment even while handoffs land.
            using var transaction = await c.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            var briefing = top is not null;
            async Task<List<T>> Read<T>(string sql, Func<NpgsqlDataReader, T> row)
            {
                using var command = c.Command(sql, transaction).Bind("tenant", tenantId).Bind("project", project).Bind("asOf", asOf).BindNullable("limit", top);
                return await command.ReadAllAsync(row, cancellationToken).ConfigureAwait(false);
            }

            async Task<int> Count(string sql) => (await Read(sql, r => Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture)).ConfigureAwait(false))[0];

            const string Scope = "tenant_id = @tenant AND project = @project";
            var (total, hours, last) = (await Read($"SELECT count(*), coalesce(sum(hours), 0), max(at) FROM handoffs WHERE {Scope} AND at <= @asOf",
                r => (Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), r.GetDouble(1), r.IsDBNull(2) ? (DateTimeOffset?)null : r.GetTime(2))).ConfigureAwait(false))[0];

            var decisions = await Read($"SELECT number, at, decision, reasoning, impact, status, handoff_id FROM kb_decisions WHERE {Scope} AND at <= @asOf ORDER BY number {(briefing ? "DESC" : "")} LIMIT @limit",
                r => new KnowledgeDecision(KnowledgeIds.Decision(r.GetInt64(0)), r.GetTime(1), r.GetString(2), r.GetNullableString(3), r.GetNullableString(4), r.GetString(5), r.GetString(6))).ConfigureAwait(false);

            var insights = await Read($"""
                SELECT i.text, i.kind, m.first, m.mentions FROM (
                    SELECT key, min(at) AS first, count(*) AS mentions FROM kb_insight_mentions
                    WHERE {Scope} AND at <= @asOf GROUP BY key ORDER BY mentions DESC, first {(briefing ? "DESC" : "")} LIMIT @limit) m
                JOIN kb_insights i ON i.tenant_id = @tenant AND i.project = @project AND i.key = m.key
                ORDER BY m.mentions DESC, m.first {(briefing ? "DESC" : "")}
                """, r => new KnowledgeInsight(r.GetString(0), r.GetString(1), r.GetTime(2), Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture))).ConfigureAwait(false);

            // Work closed after asOf was still open then.
            const string Pending = "SELECT number, task, priority, opened_at, CASE WHEN closed_at <= @asOf THEN closed_at END, CASE WHEN closed_at <= @asOf THEN closed_by END FROM kb_pending";
            const string IsOpen = "(closed_at IS NULL OR closed_at > @asOf)";
            static PendingWork PendingRow(NpgsqlDataReader r) =>
                PendingWork.Of(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetTime(3), r.IsDBNull(4) ? null : r.GetTime(4), r.GetNullableString(5));

            var pending = briefing
                ? [.. await Read($"{Pending} WHERE {Scope} AND opened_at <= @asOf AND {IsOpen} ORDER BY CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, opened_at, number LIMIT @limit", PendingRow).ConfigureAwait(false),
                   .. await Read($"{Pending} WHERE {Scope} AND opened_at <= @asOf AND NOT {IsOpen} ORDER BY closed_at DESC, number LIMIT @limit", PendingRow).ConfigureAwait(false)]
                : await Read($"{Pending} WHERE {Scope} AND opened_at <= @asOf ORDER BY number", PendingRow).ConfigureAwait(false);

            var architecture = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var (component, value) in await Read($"""
                SELECT component, value FROM (
                    SELECT DISTINCT ON (component) component, value::text AS value, at FROM kb_architecture
                    WHERE {Scope} AND at <= @asOf ORDER BY component, at DESC) latest
                ORDER BY at DESC LIMIT @limit
                """, r => (r.GetString(0), r.GetString(1))).ConfigureAwait(false))
            {
                architecture[component] = PostgresCommands.ParseElement(value);
            }

            // The latest description of each file among the rows that have one.
            var code = await Read($"""
                SELECT path, max(at), (array_agg(description ORDER BY at DESC) FILTER (WHERE description IS NOT NULL))[1]
                FROM kb_code WHERE {Scope} AND at <= @asOf
                GROUP BY path ORDER BY {(briefing ? "max(at) DESC, path" : "path")} LIMIT @limit
                """, r => new CodeEntry(r.GetString(0), r.GetNullableString(2), r.GetTime(1))).ConfigureAwait(false);

            var counts = briefing
                ? new KnowledgeCounts(
                    await Count($"SELECT count(*) FROM kb_decisions WHERE {Scope} AND at <= @asOf").ConfigureAwait(false),
                    await Count($"SELECT count(*) FROM kb_pending WHERE {Scope} AND opened_at <= @asOf AND {IsOpen}").ConfigureAwait(false),
                    await Count($"SELECT count(*) FROM kb_pending WHERE {Scope} AND opened_at <= @asOf AND NOT {IsOpen}").ConfigureAwait(false),
                    await Count($"SELECT count(DISTINCT key) FROM kb_insight_mentions WHERE {Scope} AND at <= @asOf").ConfigureAwait(false),
                    await Count($"SELECT count(DISTINCT component) FROM kb_architecture WHERE {Scope} AND at <= @asOf").ConfigureAwait(false),
                    await Count($"SELECT count(DISTINCT path) FROM kb_code WHERE {Scope} AND at <= @asOf").ConfigureAwait(false))
                : null;

            return KnowledgeBase.Assemble(project, asOf, (total, hours, last), decisions, insights, pending, architecture, code, counts);
        }, cancellationToken);

    private static async Task<long> NextNumberAsync(NpgsqlConnection c, NpgsqlTransaction t, string table, string tenantId, string project, CancellationToken cancellationToken)
    {
        using var command = c.Command($"SELECT coalesce(max(number), 0) + 1 FROM {table} WHERE tenant_id = @tenant AND project = @project", t).Bind("tenant", tenantId).Bind("project", project);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private Task<IReadOnlyList<Handoff>> ReadHandoffsAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Handoff>>(async c =>
        {
            using var command = c.Command(sql);
            bind(command);
            return await command.ReadAllAsync(r => JsonSerializer.Deserialize<Handoff>(r.GetString(0), JsonDefaults.Options)!, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
}
