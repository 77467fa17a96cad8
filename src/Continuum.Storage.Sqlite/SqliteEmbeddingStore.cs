using System.Text;
using Continuum.Search;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>
/// Vectors in SQLite: one row an item (half precision, see <see cref="VectorCodec"/>; <c>encoding</c> is the bytes a
/// dimension takes, 4 for the float32 rows written before), keyed by the item's kind and row, with the user for
/// the per-user scan. The events' position lives in <c>embedding_progress</c> and moves in the same transaction as
/// the vectors it covers, so a crash repeats at most one batch. (Rows are SQLite rowids: the database must not be
/// rebuilt with VACUUM, which may renumber them; the full-text indexes rely on them too.)
/// </summary>
public sealed class SqliteEmbeddingStore(SqliteDatabase database) : IEmbeddingStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<PendingEmbedding>> PendingAsync(string model, int limit, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var pending = new List<PendingEmbedding>();
            foreach (var (kind, sql) in Sources)
            {
                if (pending.Count >= limit)
                {
                    break;
                }

                using var command = connection.CreateCommand();
                command.CommandText = sql;
                command.Bind("$model", model).Bind("$limit", limit - pending.Count);
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    pending.Add(new PendingEmbedding(reader.GetString(1), kind, reader.GetInt64(0), reader.GetNullableString(2), reader.GetString(3), kind == "event" ? reader.GetNullableString(4) : null));
                }
            }

            return pending;
        }
    }

    /// <inheritdoc />
    public Task SaveAsync(string model, IReadOnlyList<(PendingEmbedding Item, float[]? Vector)> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return database.WriteAsync(w =>
        {
            foreach (var (item, vector) in items)
            {
                w.Command("""
                    INSERT INTO embeddings (tenant_id, item_kind, item_rowid, user_id, model, vector, encoding) VALUES ($tenant, $kind, $row, $user, $model, $vector, 2)
                    ON CONFLICT (item_kind, item_rowid) DO UPDATE SET model = excluded.model, vector = excluded.vector, encoding = excluded.encoding, user_id = excluded.user_id
                    """).Bind("$tenant", item.TenantId).Bind("$kind", item.Kind).Bind("$row", item.Row).Bind("$user", item.UserId).Bind("$model", model)
                    .Bind("$vector", vector is null ? [] : VectorCodec.ToHalf(vector))
                    .ExecuteNonQuery();
            }

            if (items.Where(i => i.Item.Kind == "event").Select(i => i.Item.Row).DefaultIfEmpty(-1).Max() is var last and >= 0)
            {
                w.Command("INSERT INTO embedding_progress (model, event_rowid) VALUES ($model, $row) ON CONFLICT (model) DO UPDATE SET event_rowid = max(event_rowid, excluded.event_rowid)")
                    .Bind("$model", model).Bind("$row", last).ExecuteNonQuery();
            }

            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<long> BacklogAsync(string model, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT coalesce(max(rowid), 0) - coalesce((SELECT event_rowid FROM embedding_progress WHERE model = $model), 0) FROM events";
            command.Bind("$model", model);
            return Math.Max(0, (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L));
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string Kind, long Row, float[] Vector)>> VectorsAsync(string tenantId, SearchScope scope, string model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT x.item_kind, x.item_rowid, x.vector, x.encoding FROM embeddings x
                WHERE x.tenant_id = $tenant AND x.model = $model AND length(x.vector) > 0 AND ($user IS NULL OR x.user_id = $user)
                  AND ($session IS NULL
                       OR (x.item_kind IN ('event', 'window') AND x.item_rowid IN (SELECT rowid FROM events WHERE session_id = $session))
                       OR (x.item_kind = 'summary' AND x.item_rowid IN (SELECT rowid FROM summaries WHERE session_id = $session)))
                """;
            command.Bind("$tenant", tenantId).Bind("$model", model).Bind("$user", scope.UserId).Bind("$session", scope.SessionId);
            var vectors = new List<(string, long, float[])>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                vectors.Add((reader.GetString(0), reader.GetInt64(1), VectorCodec.Decode((byte[])reader.GetValue(2), reader.GetInt32(3))));
            }

            return vectors;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string Kind, long Row, float[] Vector)>> UserVectorsAsync(string tenantId, string userId, string model, IReadOnlyList<string> kinds, long afterRow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        var vectors = new List<(string, long, float[])>();
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            foreach (var kind in kinds.Distinct(StringComparer.Ordinal))
            {
                // The index on (tenant, user) holds the key (kind, row) after it: one range per kind.
                using var command = connection.CreateCommand();
                command.CommandText = """
                    SELECT x.item_rowid, x.vector, x.encoding FROM embeddings x
                    WHERE x.tenant_id = $tenant AND x.user_id = $user AND x.item_kind = $kind AND x.item_rowid > $after AND x.model = $model AND length(x.vector) > 0
                    ORDER BY x.item_rowid
                    """;
                command.Bind("$tenant", tenantId).Bind("$user", userId).Bind("$kind", kind).Bind("$after", afterRow).Bind("$model", model);
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    vectors.Add((kind, reader.GetInt64(0), VectorCodec.Decode((byte[])reader.GetValue(1), reader.GetInt32(2))));
                }
            }
        }

        return vectors;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SearchCandidate>> ItemsAsync(string tenantId, IReadOnlyList<(string Kind, long Row)> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var items = new List<SearchCandidate>();
        if (rows.Count == 0)
        {
            return items;
        }

        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            foreach (var group in rows.GroupBy(r => r.Kind))
            {
                var list = string.Join(',', group.Select(r => r.Row));
                using var command = connection.CreateCommand();
                command.CommandText = group.Key switch
                {
                    "event" => $"SELECT rowid, id, session_id, seq, NULL, name, role, content, created_at, metadata, 0.0{SqliteSearchStore.EventOwner("events")} FROM events WHERE tenant_id = $tenant AND rowid IN ({list})",
                    "summary" => $"SELECT rowid, id, session_id, from_seq, to_seq, NULL, NULL, content, created_at, NULL, 0.0{SqliteSearchStore.EventOwner("summaries")} FROM summaries WHERE tenant_id = $tenant AND covered_by IS NULL AND rowid IN ({list})",
                    _ => $"SELECT rowid, id, session_id, NULL, NULL, subject, kind, content, updated_at, NULL, 0.0, user_id, agent_id FROM memories WHERE tenant_id = $tenant AND valid_to IS NULL AND rowid IN ({list})",
                };
                command.Bind("$tenant", tenantId);
                items.AddRange(await SqliteSearchStore.ReadAsync(command, group.Key, cancellationToken).ConfigureAwait(false));
            }
        }

        return items;
    }

    private static readonly (string Kind, string Sql)[] Sources =
    [
        ("memory", """
            SELECT m.rowid, m.tenant_id, m.user_id, m.content FROM memories m
            WHERE NOT EXISTS (SELECT 1 FROM embeddings x WHERE x.item_kind = 'memory' AND x.item_rowid = m.rowid AND x.model = $model)
            ORDER BY m.rowid LIMIT $limit
            """),
        ("summary", """
            SELECT s.rowid, s.tenant_id, s.user_id, s.content FROM summaries s
            WHERE s.covered_by IS NULL AND NOT EXISTS (SELECT 1 FROM embeddings x WHERE x.item_kind = 'summary' AND x.item_rowid = s.rowid AND x.model = $model)
            ORDER BY s.rowid LIMIT $limit
            """),
        ("event", """
            SELECT e.rowid, e.tenant_id, e.user_id, coalesce(e.name || ': ', '') || e.content,
                   (SELECT coalesce(p.name || ': ', '') || p.content FROM events p WHERE p.session_id = e.session_id AND p.seq = e.seq - 1)
            FROM events e
            WHERE e.rowid > coalesce((SELECT event_rowid FROM embedding_progress WHERE model = $model), 0)
            ORDER BY e.rowid LIMIT $limit
            """),
    ];
}
