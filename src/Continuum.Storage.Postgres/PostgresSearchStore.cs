using System.Text;
using System.Text.Json;
using Continuum.Search;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// Full-text search in PostgreSQL: generated <c>tsvector</c> columns (English stemming; what was said weighs more
/// than who said it) with GIN indexes, ranked by <c>ts_rank</c>. The vectors are computed in the row's own insert,
/// so an item is findable the moment its write commits. Metadata filters use JSON containment.
/// </summary>
public sealed class PostgresSearchStore(PostgresDatabase database) : ISearchStore
{
    private const string Query = "websearch_to_tsquery('english', @match)";

    /// <summary>Whose an event or summary is: its user, and its session's agent.</summary>
    internal static string EventOwner(string alias) => $", {alias}.user_id, (SELECT o.agent_id FROM sessions o WHERE o.id = {alias}.session_id)";

    /// <summary>
    /// The <c>websearch_to_tsquery</c> text for <paramref name="terms"/>: any of them, each quoted (so no word is read
    /// as query syntax); the English configuration stems them as it stems the text.
    /// </summary>
    internal static string WebSearchQuery(IEnumerable<string> terms) =>
        string.Join(" OR ", terms.Select(term => "\"" + term.Replace("\"", " ", StringComparison.Ordinal) + "\""));

    /// <inheritdoc />
    public Task<IReadOnlyList<SearchCandidate>> MatchAsync(string tenantId, string kind, SearchScope scope, IReadOnlyList<string> terms, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<SearchCandidate>>([]);
        }

        var sql = new StringBuilder();
        switch (kind)
        {
            case "event":
                sql.Append($"""
                    SELECT e.row_id, e.id, e.session_id, e.seq, NULL::bigint, e.name, e.role, e.content, e.created_at, e.metadata::text, ts_rank(e.search, q)::float8 AS score{EventOwner("e")}
                    FROM events e, {Query} q WHERE e.search @@ q AND e.tenant_id = @tenant
                    """);
                Scope(sql, "e", events: true);
                break;
            case "summary":
                sql.Append($"""
                    SELECT s.row_id, s.id, s.session_id, s.from_seq, s.to_seq, NULL, NULL, s.content, s.created_at, NULL, ts_rank(s.search, q)::float8 AS score{EventOwner("s")}
                    FROM summaries s, {Query} q WHERE s.search @@ q AND s.tenant_id = @tenant AND s.covered_by IS NULL
                    """);
                Scope(sql, "s", events: false);
                break;
            case "memory":
                sql.Append($"""
                    SELECT m.row_id, m.id, m.session_id, NULL::bigint, NULL::bigint, m.subject, m.kind, m.content, m.updated_at, NULL, ts_rank(m.search, q)::float8 AS score, m.user_id, m.agent_id
                    FROM memories m, {Query} q WHERE m.search @@ q AND m.tenant_id = @tenant AND m.valid_to IS NULL
                      AND (@user::text IS NULL OR m.user_id = @user) AND (@agent::text IS NULL OR m.agent_id = @agent OR m.agent_id IS NULL)
                    """);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "event, summary or memory");
        }

        sql.Append(" ORDER BY score DESC LIMIT @limit");
        return ReadAsync(sql.ToString(), kind, c => c.Bind("match", WebSearchQuery(terms)).Bind("tenant", tenantId).Bind("user", scope.UserId).Bind("session", scope.SessionId).Bind("agent", scope.AgentId)
            .Bind("from", scope.From ?? DateTimeOffset.MinValue).Bind("to", scope.To ?? DateTimeOffset.MaxValue).Bind("limit", limit)
            .Bind("metadata", scope.Metadata is { Count: > 0 } m ? JsonSerializer.Serialize(m) : null), cancellationToken);
    }

    /// <inheritdoc />
    public Task<(long Documents, long Total)> EventFrequencyAsync(string term, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            using var command = c.Command(term.Length == 0
                ? "SELECT 0::bigint, (SELECT coalesce(max(row_id), 0) FROM events)"
                : $"SELECT (SELECT count(*) FROM events WHERE search @@ {Query}), (SELECT coalesce(max(row_id), 0) FROM events)").Bind("match", WebSearchQuery([term]));
            return (await command.ReadAllAsync(r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken).ConfigureAwait(false))[0];
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SearchCandidate>> EventsAroundAsync(string tenantId, IReadOnlyList<(string SessionId, long Seq)> anchors, int radius, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        if (anchors.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<SearchCandidate>>([]);
        }

        return ReadAsync("""
            SELECT e.row_id, e.id, e.session_id, e.seq, NULL::bigint, e.name, e.role, e.content, e.created_at, e.metadata::text, 0.0::float8, e.user_id,
                   (SELECT o.agent_id FROM sessions o WHERE o.id = e.session_id)
            FROM unnest(@sessions, @seqs) AS a(session_id, seq)
            JOIN events e ON e.session_id = a.session_id AND e.seq BETWEEN a.seq - @radius AND a.seq + @radius
            WHERE e.tenant_id = @tenant
            """, "event", c => c.Bind("tenant", tenantId).Bind("sessions", anchors.Select(a => a.SessionId).ToArray()).Bind("seqs", anchors.Select(a => a.Seq).ToArray())
            .Bind("radius", (long)radius), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SearchCandidate>> EventRangeAsync(string tenantId, string sessionId, long fromSeq, long toSeq, CancellationToken cancellationToken) =>
        ReadAsync("""
            SELECT row_id, id, session_id, seq, NULL::bigint, name, role, content, created_at, metadata::text, 0.0::float8, user_id,
                   (SELECT o.agent_id FROM sessions o WHERE o.id = events.session_id)
            FROM events WHERE tenant_id = @tenant AND session_id = @session AND seq BETWEEN @from AND @to ORDER BY seq
            """, "event", c => c.Bind("tenant", tenantId).Bind("session", sessionId).Bind("from", fromSeq).Bind("to", toSeq), cancellationToken);

    private static void Scope(StringBuilder sql, string alias, bool events)
    {
        sql.Append($" AND (@user::text IS NULL OR {alias}.user_id = @user) AND (@session::text IS NULL OR {alias}.session_id = @session)");
        sql.Append($" AND {alias}.created_at BETWEEN @from AND @to");
        sql.Append($" AND (@agent::text IS NULL OR {alias}.session_id IN (SELECT id FROM sessions WHERE tenant_id = @tenant AND agent_id = @agent))");
        if (events)
        {
            // Every top-level pair asked for must be in the event's metadata.
            sql.Append(" AND (@metadata::text IS NULL OR e.metadata::jsonb @> @metadata::jsonb)");
        }
    }

    internal Task<IReadOnlyList<SearchCandidate>> ReadAsync(string sql, string kind, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<SearchCandidate>>(async c =>
        {
            using var command = c.Command(sql);
            bind(command);
            return await command.ReadAllAsync(r => Read(r, kind), cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    internal static SearchCandidate Read(NpgsqlDataReader reader, string kind) => SearchRows.ReadCandidate(reader, kind);
}
