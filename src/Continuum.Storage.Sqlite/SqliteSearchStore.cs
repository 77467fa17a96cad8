using System.Text;
using System.Text.Json;
using Continuum.Search;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>
/// Full-text search over events, summaries and memories with SQLite FTS5 (porter stemming, BM25). The indexes are
/// kept by triggers in the same transaction as the rows, so an item is findable the moment its write is acknowledged.
/// </summary>
public sealed class SqliteSearchStore(SqliteDatabase database) : ISearchStore
{
    /// <summary>Whose an event or summary is: its user, and its session's agent.</summary>
    internal static string EventOwner(string alias) => $", {alias}.user_id, (SELECT o.agent_id FROM sessions o WHERE o.id = {alias}.session_id)";

    /// <summary>Whose a memory is.</summary>
    internal const string MemoryOwner = ", m.user_id, m.agent_id";

    /// <summary>
    /// The FTS5 query for <paramref name="terms"/>: any of them, each quoted as a phrase (so no word is read as
    /// FTS5 syntax); the index stems them as it stems the text.
    /// </summary>
    internal static string Fts5Query(IEnumerable<string> terms) =>
        string.Join(" OR ", terms.Select(term => "\"" + term.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    /// <inheritdoc />
    public async Task<IReadOnlyList<SearchCandidate>> MatchAsync(string tenantId, string kind, SearchScope scope, IReadOnlyList<string> terms, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count == 0)
        {
            return [];
        }

        var match = Fts5Query(terms);
        var sql = MatchSql(kind);
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Bind("$match", match).Bind("$tenant", tenantId).Bind("$user", scope.UserId).Bind("$session", scope.SessionId).Bind("$agent", scope.AgentId)
                .Bind("$from", scope.From ?? DateTimeOffset.MinValue).Bind("$to", scope.To ?? DateTimeOffset.MaxValue).Bind("$limit", limit)
                .Bind("$metadata", scope.Metadata is { Count: > 0 } m ? JsonSerializer.Serialize(m) : null);
            return await ReadAsync(command, kind, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The statement a match of <paramref name="kind"/> runs, its values all parameters; the full-text index is its
    /// outer loop (a test holds the query plan to that).
    /// </summary>
    internal static string MatchSql(string kind)
    {
        var sql = new StringBuilder();
        switch (kind)
        {
            case "event":
                // The speaker's name counts less than what was said.
                sql.Append($"""
                    SELECT e.rowid, e.id, e.session_id, e.seq, NULL, e.name, e.role, e.content, e.created_at, e.metadata, -bm25(events_fts, 0.5, 1.0){EventOwner("e")}
                    FROM events_fts JOIN events e ON e.rowid = events_fts.rowid
                    WHERE events_fts MATCH $match AND +e.tenant_id = $tenant
                    """);
                Scope(sql, "e", events: true);
                break;
            case "summary":
                sql.Append($"""
                    SELECT s.rowid, s.id, s.session_id, s.from_seq, s.to_seq, NULL, NULL, s.content, s.created_at, NULL, -bm25(summaries_fts){EventOwner("s")}
                    FROM summaries_fts JOIN summaries s ON s.rowid = summaries_fts.rowid
                    WHERE summaries_fts MATCH $match AND s.tenant_id = $tenant AND s.covered_by IS NULL
                    """);
                Scope(sql, "s", events: false);
                break;
            case "memory":
                sql.Append($"""
                    SELECT m.rowid, m.id, m.session_id, NULL, NULL, m.subject, m.kind, m.content, m.updated_at, NULL, -bm25(memories_fts){MemoryOwner}
                    FROM memories_fts JOIN memories m ON m.rowid = memories_fts.rowid
                    WHERE memories_fts MATCH $match AND m.tenant_id = $tenant AND m.valid_to IS NULL
                      AND ($user IS NULL OR m.user_id = $user) AND ($agent IS NULL OR m.agent_id = $agent OR m.agent_id IS NULL)
                    """);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "event, summary or memory");
        }

        sql.Append(" ORDER BY bm25(").Append(kind switch { "event" => "events_fts, 0.5, 1.0", "summary" => "summaries_fts", _ => "memories_fts" }).Append(") LIMIT $limit");
        return sql.ToString();
    }

    /// <inheritdoc />
    public async Task<(long Documents, long Total)> EventFrequencyAsync(string term, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = term.Length == 0
                ? "SELECT 0, (SELECT coalesce(max(rowid), 0) FROM events)"
                : "SELECT (SELECT count(*) FROM events_fts WHERE events_fts MATCH $match), (SELECT coalesce(max(rowid), 0) FROM events)";
            command.Bind("$match", Fts5Query([term]));
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SearchCandidate>> EventsAroundAsync(string tenantId, IReadOnlyList<(string SessionId, long Seq)> anchors, int radius, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        if (anchors.Count == 0)
        {
            return [];
        }

        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One indexed range read an anchor (an OR of ranges would scan the table).
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT rowid, id, session_id, seq, NULL, name, role, content, created_at, metadata, 0.0, events.user_id, (SELECT o.agent_id FROM sessions o WHERE o.id = events.session_id)
                FROM events WHERE session_id = $session AND seq BETWEEN $from AND $to AND tenant_id = $tenant
                """;
            var items = new List<SearchCandidate>();
            foreach (var (sessionId, seq) in anchors)
            {
                command.Parameters.Clear();
                command.Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$from", seq - radius).Bind("$to", seq + radius);
                items.AddRange(await ReadAsync(command, "event", cancellationToken).ConfigureAwait(false));
            }

            return items;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SearchCandidate>> EventRangeAsync(string tenantId, string sessionId, long fromSeq, long toSeq, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT rowid, id, session_id, seq, NULL, name, role, content, created_at, metadata, 0.0, events.user_id, (SELECT o.agent_id FROM sessions o WHERE o.id = events.session_id)
                FROM events WHERE tenant_id = $tenant AND session_id = $session AND seq BETWEEN $from AND $to ORDER BY seq
                """;
            command.Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$from", fromSeq).Bind("$to", toSeq);
            return await ReadAsync(command, "event", cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Scope(StringBuilder sql, string alias, bool events)
    {
        sql.Append($" AND ($user IS NULL OR {alias}.user_id = $user) AND ($session IS NULL OR {alias}.session_id = $session)");
        // The unary + keeps the planner from driving the match from the (tenant_id, created_at) index with a full-text
        // lookup per row: the full-text index is the outer loop of every search.
        sql.Append($" AND +{alias}.created_at BETWEEN $from AND $to");
        sql.Append($" AND ($agent IS NULL OR {alias}.session_id IN (SELECT id FROM sessions WHERE tenant_id = $tenant AND agent_id = $agent))");
        if (events)
        {
            // Every top-level pair asked for must be in the event's metadata.
            sql.Append(" AND ($metadata IS NULL OR NOT EXISTS (SELECT 1 FROM json_each($metadata) f WHERE json_extract(e.metadata, '$.\"' || f.key || '\"') IS NOT f.value))");
        }
    }

    internal static async Task<IReadOnlyList<SearchCandidate>> ReadAsync(SqliteCommand command, string kind, CancellationToken cancellationToken)
    {
        var items = new List<SearchCandidate>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(SearchRows.ReadCandidate(reader, kind));
        }

        return items;
    }
}
