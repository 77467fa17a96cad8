using Continuum.Context;
using Continuum.Json;
using Continuum.Sessions;
using Continuum.Users;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>Summaries, watermarks and entity counts in PostgreSQL; a summary lands only if the session's summarized seq is still what the compressor read.</summary>
public sealed class PostgresContextStore(PostgresDatabase database) : IContextStore
{
    private const string SummaryColumns = "id, session_id, level, from_seq, to_seq, content, tokens, summarizer, created_at, covered_by";

    /// <inheritdoc />
    public Task<CompressionWork?> GetCompressionWorkAsync(string tenantId, string sessionId, int maxEvents, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            using var command = c.Command($"SELECT {PostgresCommands.SessionColumns}, summarized_seq, unsummarized_tokens FROM sessions WHERE tenant_id = @tenant AND id = @id")
                .Bind("tenant", tenantId).Bind("id", sessionId);
            var rows = await command.ReadAllAsync(r => (Session: PostgresCommands.ReadSession(r), Summarized: r.GetInt64(27), Unsummarized: r.GetInt64(28)), cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                return null;
            }

            var (session, summarizedSeq, unsummarized) = rows[0];
            using var events = c.Command($"SELECT {PostgresCommands.EventColumns} FROM events WHERE session_id = @session AND seq > @after ORDER BY seq LIMIT @limit")
                .Bind("session", sessionId).Bind("after", summarizedSeq).Bind("limit", maxEvents);
            return new CompressionWork(session, summarizedSeq, unsummarized, await events.ReadAllAsync(PostgresCommands.ReadEvent, cancellationToken).ConfigureAwait(false));
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> SaveSummaryAsync(string tenantId, Summary summary, long expectedSummarizedSeq, long foldedTokens, IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return database.WriteAsync(async (c, t) =>
        {
            using (var move = c.Command("""
                UPDATE sessions SET summarized_seq = @to, unsummarized_tokens = greatest(0, unsummarized_tokens - @folded), topics = @topics
                WHERE tenant_id = @tenant AND id = @session AND summarized_seq = @expected
                """, t)
                .Bind("tenant", tenantId).Bind("session", summary.SessionId).Bind("to", summary.ToSeq).Bind("folded", foldedTokens)
                .BindJson("topics", System.Text.Json.JsonSerializer.Serialize(topics, JsonDefaults.Options)).Bind("expected", expectedSummarizedSeq))
            {
                if (await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    return false;
                }
            }

            // The events it covers are marked by its range (see the event listing), not by rewriting each event row.
            await InsertAsync(c, t, tenantId, summary, cancellationToken).ConfigureAwait(false);
            await RefreshSessionSummaryAsync(c, t, tenantId, summary.SessionId, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> SaveStackedSummaryAsync(string tenantId, Summary summary, IReadOnlyList<string> covered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(covered);
        return database.WriteAsync(async (c, t) =>
        {
            using (var open = c.Command("SELECT count(*) FROM (SELECT 1 FROM summaries WHERE id = ANY(@ids) AND covered_by IS NULL FOR UPDATE) AS open_summaries", t).Bind("ids", covered.ToArray()))
            {
                if ((long)(await open.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! != covered.Count)
                {
                    return false;
                }
            }

            await InsertAsync(c, t, tenantId, summary, cancellationToken).ConfigureAwait(false);
            using (var cover = c.Command("UPDATE summaries SET covered_by = @by WHERE id = ANY(@ids)", t).Bind("by", summary.Id).Bind("ids", covered.ToArray()))
            {
                await cover.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await RefreshSessionSummaryAsync(c, t, tenantId, summary.SessionId, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    private static async Task InsertAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, Summary s, CancellationToken cancellationToken)
    {
        using var command = c.Command("""
            INSERT INTO summaries (tenant_id, id, session_id, user_id, level, from_seq, to_seq, content, tokens, summarizer, created_at)
            VALUES (@tenant, @id, @session, (SELECT user_id FROM sessions WHERE id = @session), @level, @from, @to, @content, @tokens, @summarizer, @created)
            """, t)
            .Bind("tenant", tenantId).Bind("id", s.Id).Bind("session", s.SessionId).Bind("level", s.Level).Bind("from", s.FromSeq)
            .Bind("to", s.ToSeq).Bind("content", s.Content).Bind("tokens", s.Tokens).Bind("summarizer", s.Summarizer).Bind("created", s.CreatedAt);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // The session's summary field is what a continuation carries over: its current summaries, oldest first.
    private static async Task RefreshSessionSummaryAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, string sessionId, CancellationToken cancellationToken)
    {
        using var command = c.Command("""
            UPDATE sessions SET summary = (SELECT string_agg(content, E'\n' ORDER BY from_seq) FROM summaries WHERE session_id = @session AND covered_by IS NULL)
            WHERE tenant_id = @tenant AND id = @session
            """, t).Bind("tenant", tenantId).Bind("session", sessionId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task UpdateSummaryAsync(string tenantId, string summaryId, string content, int tokens, string summarizer, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, t) =>
        {
            string? session;
            using (var find = c.Command("SELECT session_id FROM summaries WHERE tenant_id = @tenant AND id = @id FOR UPDATE", t).Bind("tenant", tenantId).Bind("id", summaryId))
            {
                session = await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            }

            if (session is null)
            {
                return false;
            }

            using (var update = c.Command("UPDATE summaries SET content = @content, tokens = @tokens, summarizer = @summarizer WHERE id = @id", t)
                .Bind("content", content).Bind("tokens", tokens).Bind("summarizer", summarizer).Bind("id", summaryId))
            {
                await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await RefreshSessionSummaryAsync(c, t, tenantId, session, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Summary>> GetActiveSummariesAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Summary>>(async c =>
        {
            using var command = c.Command($"SELECT {SummaryColumns} FROM summaries WHERE session_id = @session AND tenant_id = @tenant AND covered_by IS NULL ORDER BY from_seq")
                .Bind("tenant", tenantId).Bind("session", sessionId);
            return await command.ReadAllAsync(ReadSummary, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Summary>> ListActiveSummariesAsync(string tenantId, string sessionId, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Summary>>(async c =>
        {
            using var command = c.Command($"""
                SELECT {SummaryColumns} FROM summaries WHERE session_id = @session AND tenant_id = @tenant AND covered_by IS NULL
                  AND (@c_id::text IS NULL OR from_seq > @c_pos OR (from_seq = @c_pos AND id > @c_id))
                ORDER BY from_seq, id LIMIT @limit
                """).Bind("tenant", tenantId).Bind("session", sessionId).Bind("limit", limit).Bind("c_pos", after?.Position ?? 0L).Bind("c_id", after?.Id);
            return await command.ReadAllAsync(ReadSummary, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(string TenantId, Summary Summary)>> GetFallbackSummariesAsync(int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<(string, Summary)>>(async c =>
        {
            using var command = c.Command($"SELECT {SummaryColumns}, tenant_id FROM summaries WHERE summarizer = 'extractive-fallback' ORDER BY created_at LIMIT @limit").Bind("limit", limit);
            return await command.ReadAllAsync(r => (r.GetString(10), ReadSummary(r)), cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionEvent>> GetRecentEventsAsync(string tenantId, string sessionId, long afterSeq, long beforeSeq, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<SessionEvent>>(async c =>
        {
            using var command = c.Command($"SELECT {PostgresCommands.EventColumns} FROM events WHERE session_id = @session AND tenant_id = @tenant AND seq > @after AND seq < @before ORDER BY seq DESC LIMIT @limit")
                .Bind("tenant", tenantId).Bind("session", sessionId).Bind("after", afterSeq).Bind("before", beforeSeq).Bind("limit", limit);
            return await command.ReadAllAsync(PostgresCommands.ReadEvent, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionEvent>> GetEventRangeAsync(string tenantId, string sessionId, long fromSeq, long toSeq, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<SessionEvent>>(async c =>
        {
            using var command = c.Command($"SELECT {PostgresCommands.EventColumns} FROM events WHERE session_id = @session AND tenant_id = @tenant AND seq BETWEEN @from AND @to ORDER BY seq")
                .Bind("tenant", tenantId).Bind("session", sessionId).Bind("from", fromSeq).Bind("to", toSeq);
            return await command.ReadAllAsync(PostgresCommands.ReadEvent, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<(long SummarizedSeq, long ClearedSeq)> GetWatermarksAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            using var command = c.Command("SELECT summarized_seq, cleared_seq FROM sessions WHERE tenant_id = @tenant AND id = @id").Bind("tenant", tenantId).Bind("id", sessionId);
            var rows = await command.ReadAllAsync(r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken).ConfigureAwait(false);
            return rows.Count == 0 ? (0L, 0L) : rows[0];
        }, cancellationToken);

    /// <inheritdoc />
    public Task AddEntitiesAsync(string tenantId, string sessionId, IReadOnlyList<Context.EntityMention> mentions, long atSeq, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mentions);
        return database.WriteAsync(async (c, t) =>
        {
            using var find = c.Command("SELECT user_id, interface FROM sessions WHERE tenant_id = @tenant AND id = @id", t).Bind("tenant", tenantId).Bind("id", sessionId);
            var rows = await find.ReadAllAsync(r => (User: r.GetNullableString(0), Interface: r.GetString(1)), cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                return false;
            }

            var (userId, iface) = rows[0];
            foreach (var m in mentions)
            {
                await PostgresEventStore.CountMentionAsync(c, t, tenantId, sessionId, userId, iface, m, atSeq, at, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EntityCount>> GetSessionEntitiesAsync(string tenantId, string sessionId, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<EntityCount>>(async c =>
        {
            using var command = c.Command("SELECT name, kind, mentions, last_seq FROM session_entities WHERE session_id = @session AND tenant_id = @tenant ORDER BY mentions DESC, last_seq DESC LIMIT @limit")
                .Bind("tenant", tenantId).Bind("session", sessionId).Bind("limit", limit);
            return await command.ReadAllAsync(r => new EntityCount(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)), cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(UserEntity Entity, string Key)>> GetUserEntitiesAsync(string tenantId, string userId, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<(UserEntity Entity, string Key)>>(async c =>
        {
            using var command = c.Command("""
                SELECT e.name, e.kind, e.first_seen, e.last_seen, e.mentions,
                       coalesce((SELECT array_agg(DISTINCT s.session_id) FROM user_entity_sessions s WHERE s.tenant_id = e.tenant_id AND s.user_id = e.user_id AND s.key = e.key), '{}'),
                       coalesce((SELECT array_agg(DISTINCT s.interface) FROM user_entity_sessions s WHERE s.tenant_id = e.tenant_id AND s.user_id = e.user_id AND s.key = e.key), '{}'),
                       e.key
                FROM user_entities e WHERE e.tenant_id = @tenant AND e.user_id = @user
                  AND (@c_key::text IS NULL OR e.last_seen < @c_pos OR (e.last_seen = @c_pos AND e.key < @c_key))
                ORDER BY e.last_seen DESC, e.key DESC LIMIT @limit
                """).Bind("tenant", tenantId).Bind("user", userId).Bind("limit", limit).Bind("c_pos", after?.Position ?? 0L).Bind("c_key", after?.Id);
            return await command.ReadAllAsync(r => (new UserEntity
            {
                Name = r.GetString(0),
                Kind = r.GetString(1),
                FirstSeen = r.GetTime(2),
                LastSeen = r.GetTime(3),
                Mentions = r.GetInt64(4),
                Sessions = r.GetFieldValue<string[]>(5),
                Interfaces = r.GetFieldValue<string[]>(6),
            }, r.GetString(7)), cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<long?> ClearAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, t) =>
        {
            using var command = c.Command("UPDATE sessions SET cleared_seq = last_seq WHERE tenant_id = @tenant AND id = @id RETURNING cleared_seq", t).Bind("tenant", tenantId).Bind("id", sessionId);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long seq ? seq : (long?)null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(string TenantId, string SessionId)>> GetSessionsOverThresholdAsync(double ratio, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<(string, string)>>(async c =>
        {
            using var command = c.Command("SELECT tenant_id, id FROM sessions WHERE unsummarized_tokens > token_limit * @ratio LIMIT @limit").Bind("ratio", ratio).Bind("limit", limit);
            return await command.ReadAllAsync(r => (r.GetString(0), r.GetString(1)), cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    private static Summary ReadSummary(NpgsqlDataReader r) => StoreRows.ReadSummary(r);
}
