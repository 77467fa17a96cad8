using Continuum.Context;
using Continuum.Json;
using Continuum.Sessions;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>Summaries, watermarks and entity counts in SQLite.</summary>
public sealed class SqliteContextStore(SqliteDatabase database) : IContextStore
{
    private const string SummaryColumns = "id, session_id, level, from_seq, to_seq, content, tokens, summarizer, created_at, covered_by";

    /// <inheritdoc />
    public async Task<CompressionWork?> GetCompressionWorkAsync(string tenantId, string sessionId, int maxEvents, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            Session session;
            long summarizedSeq;
            long unsummarized;
            using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT {SqliteRows.SessionColumns}, summarized_seq, unsummarized_tokens FROM sessions WHERE tenant_id = $tenant AND id = $id";
                command.Bind("$tenant", tenantId).Bind("$id", sessionId);
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                session = SqliteRows.ReadSession(reader);
                summarizedSeq = reader.GetInt64(27);
                unsummarized = reader.GetInt64(28);
            }

            var events = await ReadEventsAsync(connection, $"SELECT {SqliteRows.EventColumns} FROM events WHERE session_id = $session AND seq > $after ORDER BY seq LIMIT $limit",
                c => c.Bind("$session", sessionId).Bind("$after", summarizedSeq).Bind("$limit", maxEvents), cancellationToken).ConfigureAwait(false);
            return new CompressionWork(session, summarizedSeq, unsummarized, events);
        }
    }

    /// <inheritdoc />
    public Task<bool> SaveSummaryAsync(string tenantId, Summary summary, long expectedSummarizedSeq, long foldedTokens, IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return database.WriteAsync(w =>
        {
            var moved = w.Command("""
                UPDATE sessions SET summarized_seq = $to, unsummarized_tokens = max(0, unsummarized_tokens - $folded), topics = $topics
                WHERE tenant_id = $tenant AND id = $session AND summarized_seq = $expected
                """)
                .Bind("$tenant", tenantId).Bind("$session", summary.SessionId).Bind("$to", summary.ToSeq).Bind("$folded", foldedTokens)
                .Bind("$topics", System.Text.Json.JsonSerializer.Serialize(topics, JsonDefaults.Options)).Bind("$expected", expectedSummarizedSeq)
                .ExecuteNonQuery();
            if (moved == 0)
            {
                return false;
            }

            // The events it covers are marked by its range (see the event listing), not by rewriting each event row:
            // rewriting them cost the writer as much again as appending them.
            Insert(w, tenantId, summary);
            RefreshSessionSummary(w, tenantId, summary.SessionId);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> SaveStackedSummaryAsync(string tenantId, Summary summary, IReadOnlyList<string> covered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(covered);
        return database.WriteAsync(w =>
        {
            foreach (var id in covered)
            {
                var open = w.Command("SELECT COUNT(*) FROM summaries WHERE id = $id AND covered_by IS NULL").Bind("$id", id).ExecuteScalar();
                if (Convert.ToInt64(open, System.Globalization.CultureInfo.InvariantCulture) == 0)
                {
                    return false;
                }
            }

            Insert(w, tenantId, summary);
            foreach (var id in covered)
            {
                w.Command("UPDATE summaries SET covered_by = $by WHERE id = $id").Bind("$by", summary.Id).Bind("$id", id).ExecuteNonQuery();
            }

            RefreshSessionSummary(w, tenantId, summary.SessionId);
            return true;
        }, cancellationToken);
    }

    private static void Insert(SqliteWriteContext w, string tenantId, Summary s) =>
        w.Command("""
            INSERT INTO summaries (tenant_id, id, session_id, user_id, level, from_seq, to_seq, content, tokens, summarizer, created_at)
            VALUES ($tenant, $id, $session, (SELECT user_id FROM sessions WHERE id = $session), $level, $from, $to, $content, $tokens, $summarizer, $created)
            """)
            .Bind("$tenant", tenantId).Bind("$id", s.Id).Bind("$session", s.SessionId).Bind("$level", s.Level).Bind("$from", s.FromSeq)
            .Bind("$to", s.ToSeq).Bind("$content", s.Content).Bind("$tokens", s.Tokens).Bind("$summarizer", s.Summarizer).Bind("$created", s.CreatedAt)
            .ExecuteNonQuery();

    // The session's summary field is what a continuation carries over: its current summaries, oldest first.
    private static void RefreshSessionSummary(SqliteWriteContext w, string tenantId, string sessionId) =>
        w.Command("""
            UPDATE sessions SET summary = (SELECT group_concat(content, char(10)) FROM
                (SELECT content FROM summaries WHERE session_id = $session AND covered_by IS NULL ORDER BY from_seq))
            WHERE tenant_id = $tenant AND id = $session
            """).Bind("$tenant", tenantId).Bind("$session", sessionId).ExecuteNonQuery();

    /// <inheritdoc />
    public Task UpdateSummaryAsync(string tenantId, string summaryId, string content, int tokens, string summarizer, CancellationToken cancellationToken) =>
        database.WriteAsync(w =>
        {
            var session = w.Command("SELECT session_id FROM summaries WHERE tenant_id = $tenant AND id = $id").Bind("$tenant", tenantId).Bind("$id", summaryId).ExecuteScalar() as string;
            if (session is null)
            {
                return false;
            }

            w.Command("UPDATE summaries SET content = $content, tokens = $tokens, summarizer = $summarizer WHERE id = $id")
                .Bind("$content", content).Bind("$tokens", tokens).Bind("$summarizer", summarizer).Bind("$id", summaryId).ExecuteNonQuery();
            RefreshSessionSummary(w, tenantId, session);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Summary>> GetActiveSummariesAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        ReadSummariesAsync($"SELECT {SummaryColumns} FROM summaries WHERE session_id = $session AND tenant_id = $tenant AND covered_by IS NULL ORDER BY from_seq",
            c => c.Bind("$tenant", tenantId).Bind("$session", sessionId), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Summary>> ListActiveSummariesAsync(string tenantId, string sessionId, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        ReadSummariesAsync($"""
            SELECT {SummaryColumns} FROM summaries WHERE session_id = $session AND tenant_id = $tenant AND covered_by IS NULL
              AND ($c_id IS NULL OR from_seq > $c_pos OR (from_seq = $c_pos AND id > $c_id))
            ORDER BY from_seq, id LIMIT $limit
            """,
            c => c.Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$limit", limit).Bind("$c_pos", after?.Position ?? 0).Bind("$c_id", after?.Id), cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string TenantId, Summary Summary)>> GetFallbackSummariesAsync(int limit, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {SummaryColumns}, tenant_id FROM summaries WHERE summarizer = 'extractive-fallback' ORDER BY created_at LIMIT $limit";
            command.Bind("$limit", limit);
            var items = new List<(string, Summary)>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add((reader.GetString(10), ReadSummary(reader)));
            }

            return items;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionEvent>> GetRecentEventsAsync(string tenantId, string sessionId, long afterSeq, long beforeSeq, int limit, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadEventsAsync(connection, $"SELECT {SqliteRows.EventColumns} FROM events WHERE session_id = $session AND tenant_id = $tenant AND seq > $after AND seq < $before ORDER BY seq DESC LIMIT $limit",
                c => c.Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$after", afterSeq).Bind("$before", beforeSeq).Bind("$limit", limit), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionEvent>> GetEventRangeAsync(string tenantId, string sessionId, long fromSeq, long toSeq, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadEventsAsync(connection, $"SELECT {SqliteRows.EventColumns} FROM events WHERE session_id = $session AND tenant_id = $tenant AND seq BETWEEN $from AND $to ORDER BY seq",
                c => c.Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$from", fromSeq).Bind("$to", toSeq), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<(long SummarizedSeq, long ClearedSeq)> GetWatermarksAsync(string tenantId, string sessionId, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT summarized_seq, cleared_seq FROM sessions WHERE tenant_id = $tenant AND id = $id";
            command.Bind("$tenant", tenantId).Bind("$id", sessionId);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
        }
    }

    /// <inheritdoc />
    public Task AddEntitiesAsync(string tenantId, string sessionId, IReadOnlyList<Context.EntityMention> mentions, long atSeq, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mentions);
        return database.WriteAsync(w =>
        {
            using var reader = w.Command("SELECT user_id, interface FROM sessions WHERE tenant_id = $tenant AND id = $id").Bind("$tenant", tenantId).Bind("$id", sessionId).ExecuteReader();
            if (!reader.Read())
            {
                return false;
            }

            var userId = reader.GetNullableString(0);
            var iface = reader.GetString(1);
            reader.Close();
            foreach (var m in mentions)
            {
                w.Command(SqliteEventStore.CountSessionEntity).Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$key", m.Key)
                    .Bind("$name", m.Name).Bind("$kind", m.Kind).Bind("$seq", atSeq).ExecuteNonQuery();
                if (userId is not null)
                {
                    w.Command(SqliteEventStore.CountUserEntity).Bind("$tenant", tenantId).Bind("$user", userId).Bind("$key", m.Key)
                        .Bind("$name", m.Name).Bind("$kind", m.Kind).Bind("$at", at).ExecuteNonQuery();
                    w.Command(SqliteEventStore.NoteUserEntitySession).Bind("$tenant", tenantId).Bind("$user", userId).Bind("$key", m.Key)
                        .Bind("$session", sessionId).Bind("$interface", iface).ExecuteNonQuery();
                }
            }

            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EntityCount>> GetSessionEntitiesAsync(string tenantId, string sessionId, int limit, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name, kind, mentions, last_seq FROM session_entities WHERE session_id = $session AND tenant_id = $tenant ORDER BY mentions DESC, last_seq DESC LIMIT $limit";
            command.Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$limit", limit);
            var items = new List<EntityCount>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(new EntityCount(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
            }

            return items;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(UserEntity Entity, string Key)>> GetUserEntitiesAsync(string tenantId, string userId, int limit, ListCursor? after, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT e.name, e.kind, e.first_seen, e.last_seen, e.mentions,
                       (SELECT json_group_array(DISTINCT s.session_id) FROM user_entity_sessions s WHERE s.tenant_id = e.tenant_id AND s.user_id = e.user_id AND s.key = e.key),
                       (SELECT json_group_array(DISTINCT s.interface) FROM user_entity_sessions s WHERE s.tenant_id = e.tenant_id AND s.user_id = e.user_id AND s.key = e.key),
                       e.key
                FROM user_entities e WHERE e.tenant_id = $tenant AND e.user_id = $user
                  AND ($c_key IS NULL OR e.last_seen < $c_pos OR (e.last_seen = $c_pos AND e.key < $c_key))
                ORDER BY e.last_seen DESC, e.key DESC LIMIT $limit
                """;
            command.Bind("$tenant", tenantId).Bind("$user", userId).Bind("$limit", limit).Bind("$c_pos", after?.Position ?? 0).Bind("$c_key", after?.Id);
            var items = new List<(UserEntity, string)>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add((new UserEntity
                {
                    Name = reader.GetString(0),
                    Kind = reader.GetString(1),
                    FirstSeen = reader.GetTime(2),
                    LastSeen = reader.GetTime(3),
                    Mentions = reader.GetInt64(4),
                    Sessions = SqliteRows.ParseList(reader.GetString(5)),
                    Interfaces = SqliteRows.ParseList(reader.GetString(6)),
                }, reader.GetString(7)));
            }

            return items;
        }
    }

    /// <inheritdoc />
    public Task<long?> ClearAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        database.WriteAsync(w =>
        {
            using var reader = w.Command("UPDATE sessions SET cleared_seq = last_seq WHERE tenant_id = $tenant AND id = $id RETURNING cleared_seq")
                .Bind("$tenant", tenantId).Bind("$id", sessionId).ExecuteReader();
            return reader.Read() ? reader.GetInt64(0) : (long?)null;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string TenantId, string SessionId)>> GetSessionsOverThresholdAsync(double ratio, int limit, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT tenant_id, id FROM sessions WHERE unsummarized_tokens > token_limit * $ratio LIMIT $limit";
            command.Bind("$ratio", ratio).Bind("$limit", limit);
            var items = new List<(string, string)>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add((reader.GetString(0), reader.GetString(1)));
            }

            return items;
        }
    }

    private async Task<IReadOnlyList<Summary>> ReadSummariesAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            var items = new List<Summary>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(ReadSummary(reader));
            }

            return items;
        }
    }

    private static Summary ReadSummary(SqliteDataReader r) => StoreRows.ReadSummary(r);

    private static async Task<IReadOnlyList<SessionEvent>> ReadEventsAsync(SqliteConnection connection, string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        var items = new List<SessionEvent>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(SqliteRows.ReadEvent(reader));
        }

        return items;
    }
}
