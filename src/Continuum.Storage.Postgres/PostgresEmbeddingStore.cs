using Continuum.Search;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// Vectors in PostgreSQL in half precision (<c>half bytea</c>, see <see cref="VectorCodec"/>; rows written before it
/// keep their float32 <c>real[]</c>), one row an item, with the user for the per-user scan. The events'
/// position moves in the same transaction as the vectors it covers, so a crash repeats at most one batch; with
/// several nodes, the batch is claimed under an advisory lock so two indexers do not embed the same items.
/// </summary>
public sealed class PostgresEmbeddingStore(PostgresDatabase database, PostgresSearchStore search) : IEmbeddingStore
{
    private static readonly (string Kind, string Sql)[] Sources =
    [
        ("memory", """
            SELECT m.row_id, m.tenant_id, m.user_id, m.content FROM memories m
            WHERE NOT EXISTS (SELECT 1 FROM embeddings x WHERE x.item_kind = 'memory' AND x.item_rowid = m.row_id AND x.model = @model)
            ORDER BY m.row_id LIMIT @limit
            """),
        ("summary", """
            SELECT s.row_id, s.tenant_id, s.user_id, s.content FROM summaries s
            WHERE s.covered_by IS NULL AND NOT EXISTS (SELECT 1 FROM embeddings x WHERE x.item_kind = 'summary' AND x.item_rowid = s.row_id AND x.model = @model)
            ORDER BY s.row_id LIMIT @limit
            """),
        ("event", """
            SELECT e.row_id, e.tenant_id, e.user_id, coalesce(e.name || ': ', '') || e.content,
                   (SELECT coalesce(p.name || ': ', '') || p.content FROM events p WHERE p.session_id = e.session_id AND p.seq = e.seq - 1)
            FROM events e
            WHERE e.row_id > coalesce((SELECT event_rowid FROM embedding_progress WHERE model = @model), 0)
            ORDER BY e.row_id LIMIT @limit
            """),
    ];

    /// <inheritdoc />
    public Task<IReadOnlyList<PendingEmbedding>> PendingAsync(string model, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<PendingEmbedding>>(async c =>
        {
            var pending = new List<PendingEmbedding>();
            foreach (var (kind, sql) in Sources)
            {
                if (pending.Count >= limit)
                {
                    break;
                }

                using var command = c.Command(sql).Bind("model", model).Bind("limit", limit - pending.Count);
                pending.AddRange(await command.ReadAllAsync(r => new PendingEmbedding(r.GetString(1), kind, r.GetInt64(0), r.GetNullableString(2), r.GetString(3), kind == "event" ? r.GetNullableString(4) : null), cancellationToken).ConfigureAwait(false));
            }

            return pending;
        }, cancellationToken);

    /// <inheritdoc />
    public Task SaveAsync(string model, IReadOnlyList<(PendingEmbedding Item, float[]? Vector)> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return database.WriteAsync(async (c, t) =>
        {
            foreach (var (item, vector) in items)
            {
                using var command = c.Command("""
                    INSERT INTO embeddings (tenant_id, item_kind, item_rowid, user_id, model, vector, half) VALUES (@tenant, @kind, @row, @user, @model, '{}', @half)
                    ON CONFLICT (item_kind, item_rowid) DO UPDATE SET model = excluded.model, vector = excluded.vector, half = excluded.half, user_id = excluded.user_id
                    """, t).Bind("tenant", item.TenantId).Bind("kind", item.Kind).Bind("row", item.Row).Bind("user", item.UserId).Bind("model", model).Bind("half", vector is null ? [] : VectorCodec.ToHalf(vector));
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (items.Where(i => i.Item.Kind == "event").Select(i => i.Item.Row).DefaultIfEmpty(-1).Max() is var last and >= 0)
            {
                using var progress = c.Command("""
                    INSERT INTO embedding_progress (model, event_rowid) VALUES (@model, @row)
                    ON CONFLICT (model) DO UPDATE SET event_rowid = greatest(embedding_progress.event_rowid, excluded.event_rowid)
                    """, t).Bind("model", model).Bind("row", last);
                await progress.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> BacklogAsync(string model, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            using var command = c.Command("SELECT greatest(0, coalesce(max(row_id), 0) - coalesce((SELECT event_rowid FROM embedding_progress WHERE model = @model), 0)) FROM events").Bind("model", model);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(string Kind, long Row, float[] Vector)>> VectorsAsync(string tenantId, SearchScope scope, string model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return database.ReadAsync<IReadOnlyList<(string, long, float[])>>(async c =>
        {
            using var command = c.Command("""
                SELECT x.item_kind, x.item_rowid, x.vector, x.half FROM embeddings x
                WHERE x.tenant_id = @tenant AND x.model = @model AND (length(x.half) > 0 OR cardinality(x.vector) > 0) AND (@user::text IS NULL OR x.user_id = @user)
                  AND (@session::text IS NULL
                       OR (x.item_kind IN ('event', 'window') AND x.item_rowid IN (SELECT row_id FROM events WHERE session_id = @session))
                       OR (x.item_kind = 'summary' AND x.item_rowid IN (SELECT row_id FROM summaries WHERE session_id = @session)))
                """).Bind("tenant", tenantId).Bind("model", model).Bind("user", scope.UserId).Bind("session", scope.SessionId);
            return await command.ReadAllAsync(r => (r.GetString(0), r.GetInt64(1), Read(r)), cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(string Kind, long Row, float[] Vector)>> UserVectorsAsync(string tenantId, string userId, string model, IReadOnlyList<string> kinds, long afterRow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        return database.ReadAsync<IReadOnlyList<(string, long, float[])>>(async c =>
        {
            using var command = c.Command("""
                SELECT x.item_kind, x.item_rowid, x.vector, x.half FROM embeddings x
                WHERE x.tenant_id = @tenant AND x.user_id = @user AND x.item_kind = ANY(@kinds) AND x.item_rowid > @after AND x.model = @model AND (length(x.half) > 0 OR cardinality(x.vector) > 0)
                ORDER BY x.item_rowid
                """).Bind("tenant", tenantId).Bind("user", userId).Bind("kinds", kinds.ToArray()).Bind("after", afterRow).Bind("model", model);
            return await command.ReadAllAsync(r => (r.GetString(0), r.GetInt64(1), Read(r)), cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    // A row written in half precision, or a float32 real[] row written before it.
    private static float[] Read(System.Data.Common.DbDataReader reader) =>
        reader.IsDBNull(3) || reader.GetFieldValue<byte[]>(3).Length == 0 ? reader.GetFieldValue<float[]>(2) : VectorCodec.FromHalf(reader.GetFieldValue<byte[]>(3));

    /// <inheritdoc />
    public async Task<IReadOnlyList<SearchCandidate>> ItemsAsync(string tenantId, IReadOnlyList<(string Kind, long Row)> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var items = new List<SearchCandidate>();
        foreach (var group in rows.GroupBy(r => r.Kind))
        {
            var sql = group.Key switch
            {
                "event" => $"SELECT row_id, id, session_id, seq, NULL::bigint, name, role, content, created_at, metadata::text, 0.0::float8{PostgresSearchStore.EventOwner("events")} FROM events WHERE tenant_id = @tenant AND row_id = ANY(@rows)",
                "summary" => $"SELECT row_id, id, session_id, from_seq, to_seq, NULL, NULL, content, created_at, NULL, 0.0::float8{PostgresSearchStore.EventOwner("summaries")} FROM summaries WHERE tenant_id = @tenant AND covered_by IS NULL AND row_id = ANY(@rows)",
                _ => "SELECT row_id, id, session_id, NULL::bigint, NULL::bigint, subject, kind, content, updated_at, NULL, 0.0::float8, user_id, agent_id FROM memories WHERE tenant_id = @tenant AND valid_to IS NULL AND row_id = ANY(@rows)",
            };
            items.AddRange(await search.ReadAsync(sql, group.Key, c => c.Bind("tenant", tenantId).Bind("rows", group.Select(r => r.Row).ToArray()), cancellationToken).ConfigureAwait(false));
        }

        return items;
    }
}
