using System.Globalization;
using Continuum.Errors;
using Continuum.Sessions;
using Continuum.Stats;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>Sessions and links in SQLite.</summary>
public sealed class SqliteSessionStore(SqliteDatabase database) : ISessionStore
{
    private const string Insert = $"""
        INSERT INTO sessions (tenant_id, {SqliteRows.SessionColumns})
        VALUES ($tenant, $id, $user_id, $agent_id, $interface, $interface_id, $node_name, $status, $title, $parent_id,
                $created_at, $last_active_at, $expires_at, $expires_in_seconds, $token_limit,
                $messages, $input_tokens, $output_tokens, $tool_calls, $errors, $last_seq,
                $state, $preferences, $metadata, $summary, $entities, $topics, $carried_over)
        """;

    private const string Replace = """
        UPDATE sessions SET user_id = $user_id, agent_id = $agent_id, interface = $interface, interface_id = $interface_id,
            node_name = $node_name, status = $status, title = $title, parent_id = $parent_id, last_active_at = $last_active_at,
            expires_at = $expires_at, expires_in_seconds = $expires_in_seconds, token_limit = $token_limit,
            state = $state, preferences = $preferences, metadata = $metadata, summary = $summary, entities = $entities,
            topics = $topics, carried_over = $carried_over
        WHERE tenant_id = $tenant AND id = $id
        """;

    private const string SelectById = $"SELECT {SqliteRows.SessionColumns} FROM sessions WHERE tenant_id = $tenant AND id = $id";

    /// <inheritdoc />
    public Task<OpenSessionResult> OpenAsync(string tenantId, Session candidate, ResumeKey? resumeKey, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(w =>
        {
            if (resumeKey is not null && FindResumable(w, tenantId, resumeKey, now) is { } existing)
            {
                var resumed = existing with
                {
                    Interface = candidate.Interface,
                    InterfaceId = candidate.Interface == existing.Interface ? candidate.InterfaceId ?? existing.InterfaceId : candidate.InterfaceId,
                    NodeName = candidate.NodeName ?? existing.NodeName,
                    Status = SessionStatus.Active,
                    LastActiveAt = now,
                    ExpiresAt = now.AddSeconds(existing.ExpiresInSeconds),
                };
                w.Command(Replace).BindSession(tenantId, resumed).ExecuteNonQuery();
                return new OpenSessionResult(resumed, false);
            }

            w.Command(Insert).BindSession(tenantId, candidate).ExecuteNonQuery();
            return new OpenSessionResult(candidate, true);
        }, cancellationToken);

    private static Session? FindResumable(SqliteWriteContext w, string tenantId, ResumeKey key, DateTimeOffset now)
    {
        var command = key.UserId is not null
            ? w.Command($"""
                SELECT {SqliteRows.SessionColumns} FROM sessions
                WHERE tenant_id = $tenant AND user_id = $user AND agent_id IS $agent
                  AND status IN ('active', 'inactive') AND expires_at > $now
                ORDER BY last_active_at DESC LIMIT 1
                """).Bind("$user", key.UserId)
            : w.Command($"""
                SELECT {SqliteRows.SessionColumns} FROM sessions
                WHERE tenant_id = $tenant AND user_id IS NULL AND interface = $interface AND interface_id = $interface_id
                  AND agent_id IS $agent AND status IN ('active', 'inactive') AND expires_at > $now
                ORDER BY last_active_at DESC LIMIT 1
                """).Bind("$interface", key.Interface).Bind("$interface_id", key.InterfaceId);
        command.Bind("$tenant", tenantId).Bind("$agent", key.AgentId).Bind("$now", now);
        using var reader = command.ExecuteReader();
        return reader.Read() ? SqliteRows.ReadSession(reader) : null;
    }

    internal static Session? Get(SqliteWriteContext w, string tenantId, string sessionId)
    {
        using var reader = w.Command(SelectById).Bind("$tenant", tenantId).Bind("$id", sessionId).ExecuteReader();
        return reader.Read() ? SqliteRows.ReadSession(reader) : null;
    }

    /// <inheritdoc />
    public async Task<Session?> GetAsync(string tenantId, string sessionId, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = SelectById;
            command.Bind("$tenant", tenantId).Bind("$id", sessionId);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? SqliteRows.ReadSession(reader) : null;
        }
    }

    /// <inheritdoc />
    public async Task<Page<Session>> ListAsync(string tenantId, SessionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = query.PageSize;
        var sql = new System.Text.StringBuilder($"SELECT {SqliteRows.SessionColumns} FROM sessions WHERE tenant_id = $tenant");
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.Bind("$tenant", tenantId);
            var n = 0;
            foreach (var (column, value) in query.Equalities())
            {
                sql.Append(CultureInfo.InvariantCulture, $" AND {column} = $f{n}");
                command.Bind($"$f{n++}", value);
            }

            if (ListCursor.Parse(query.Cursor) is { } cursor)
            {
                sql.Append(" AND (created_at < $c_ticks OR (created_at = $c_ticks AND id < $c_id))");
                command.Bind("$c_ticks", cursor.Position).Bind("$c_id", cursor.Id);
            }

            sql.Append(" ORDER BY created_at DESC, id DESC LIMIT $limit");
            command.Bind("$limit", limit + 1);
            command.CommandText = sql.ToString();
            var items = new List<Session>(limit + 1);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(SqliteRows.ReadSession(reader));
            }

            return ListCursor.Page(items, limit, s => ListCursor.After(s.CreatedAt, s.Id));
        }
    }

    /// <inheritdoc />
    public Task<Session?> UpdateAsync(string tenantId, string sessionId, Func<Session, Session> update, CancellationToken cancellationToken) =>
        database.WriteAsync(w =>
        {
            if (Get(w, tenantId, sessionId) is not { } current)
            {
                return null;
            }

            var updated = update(current) with { Id = current.Id, Counters = current.Counters, LastSeq = current.LastSeq, CreatedAt = current.CreatedAt };
            w.Command(Replace).BindSession(tenantId, updated).ExecuteNonQuery();
            return updated;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        database.WriteAsync(w =>
        {
            var deleted = w.Command("DELETE FROM sessions WHERE tenant_id = $tenant AND id = $id").Bind("$tenant", tenantId).Bind("$id", sessionId).ExecuteNonQuery();
            if (deleted == 0)
            {
                return false;
            }

            w.Command("DELETE FROM events WHERE tenant_id = $tenant AND session_id = $id").Bind("$tenant", tenantId).Bind("$id", sessionId).ExecuteNonQuery();
            foreach (var sql in (string[])[
                "DELETE FROM session_links WHERE tenant_id = $tenant AND (from_session_id = $id OR to_session_id = $id)",
                "DELETE FROM summaries WHERE tenant_id = $tenant AND session_id = $id",
                "DELETE FROM session_entities WHERE tenant_id = $tenant AND session_id = $id",
                "DELETE FROM user_entity_sessions WHERE tenant_id = $tenant AND session_id = $id",
            ])
            {
                w.Command(sql).Bind("$tenant", tenantId).Bind("$id", sessionId).ExecuteNonQuery();
            }

            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<Session> DeriveAsync(string tenantId, string parentId, string linkType, long? forkAtSeq, int lastMessages,
        Func<Session, IReadOnlyList<SessionEvent>, Session> makeChild, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(makeChild);
        return database.WriteAsync(w =>
        {
            var parent = Get(w, tenantId, parentId);
            var atSeq = SessionDerivation.ForkPoint(parentId, parent, forkAtSeq);
            var last = lastMessages > 0 ? LastEvents(w, tenantId, parentId, lastMessages) : [];
            var (child, link, copyThrough) = SessionDerivation.Derive(parent!, linkType, atSeq, TopEntities(w, parentId), last, makeChild);
            w.Command(Insert).BindSession(tenantId, child).ExecuteNonQuery();
            if (copyThrough > 0)
            {
                child = CopyEvents(w, tenantId, parentId, child, copyThrough);
            }

            w.Command("""
                INSERT INTO session_links (tenant_id, from_session_id, to_session_id, type, at_seq, created_at)
                VALUES ($tenant, $from, $to, $type, $at, $created)
                """)
                .Bind("$tenant", tenantId).Bind("$from", link.FromSessionId).Bind("$to", link.ToSessionId).Bind("$type", link.Type)
                .Bind("$at", link.AtSeq).Bind("$created", link.CreatedAt)
                .ExecuteNonQuery();
            return child;
        }, cancellationToken);
    }

    private static List<string> TopEntities(SqliteWriteContext w, string sessionId)
    {
        var names = new List<string>();
        using var reader = w.Command("SELECT name FROM session_entities WHERE session_id = $id ORDER BY mentions DESC, last_seq DESC LIMIT $n")
            .Bind("$id", sessionId).Bind("$n", SessionDerivation.TopEntities).ExecuteReader();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static List<SessionEvent> LastEvents(SqliteWriteContext w, string tenantId, string sessionId, int count)
    {
        var items = new List<SessionEvent>(count);
        using (var reader = w.Command($"SELECT {SqliteRows.EventColumns} FROM events WHERE tenant_id = $tenant AND session_id = $id AND type = 'message' ORDER BY seq DESC LIMIT $n")
            .Bind("$tenant", tenantId).Bind("$id", sessionId).Bind("$n", count).ExecuteReader())
        {
            while (reader.Read())
            {
                items.Add(SqliteRows.ReadEvent(reader));
            }
        }

        items.Reverse();
        return items;
    }

    private static Session CopyEvents(SqliteWriteContext w, string tenantId, string parentId, Session child, long atSeq)
    {
        // The fork gets its own copies (new ids, same seq, content and times) so it can diverge freely.
        w.Command("""
            INSERT INTO events (tenant_id, session_id, seq, id, user_id, type, role, name, content, tokens, entities, interface, created_at, metadata, idempotency_key)
            SELECT tenant_id, $child, seq, 'evt_' || substr(id, 5, 10) || upper(hex(randomblob(8))), user_id, type, role, name, content, tokens, entities, interface, created_at, metadata, idempotency_key
            FROM events WHERE tenant_id = $tenant AND session_id = $parent AND seq <= $at
            """).Bind("$tenant", tenantId).Bind("$child", child.Id).Bind("$parent", parentId).Bind("$at", atSeq).ExecuteNonQuery();
        w.Command("""
            UPDATE sessions SET
                messages = (SELECT COUNT(*) FROM events WHERE session_id = $child AND type = 'message'),
                input_tokens = (SELECT COALESCE(SUM(tokens), 0) FROM events WHERE session_id = $child AND role <> 'assistant'),
                output_tokens = (SELECT COALESCE(SUM(tokens), 0) FROM events WHERE session_id = $child AND role = 'assistant'),
                tool_calls = (SELECT COUNT(*) FROM events WHERE session_id = $child AND type = 'tool_call'),
                errors = (SELECT COUNT(*) FROM events WHERE session_id = $child AND type = 'error'),
                unsummarized_tokens = (SELECT COALESCE(SUM(tokens), 0) FROM events WHERE session_id = $child)
            WHERE id = $child
            """).Bind("$child", child.Id).ExecuteNonQuery();
        return Get(w, tenantId, child.Id)!;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionLink>> GetLinksAsync(string tenantId, string sessionId, int limit, ListCursor? after, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT from_session_id, to_session_id, type, at_seq, created_at FROM session_links
                WHERE tenant_id = $tenant AND (from_session_id = $id OR to_session_id = $id)
                  AND ($c_from IS NULL OR (created_at, from_session_id, to_session_id) > ($c_pos, $c_from, $c_to))
                ORDER BY created_at, from_session_id, to_session_id LIMIT $limit
                """;
            var (from, to) = after is { } cut ? SessionLink.CursorIds(cut) : (null, null);
            command.Bind("$tenant", tenantId).Bind("$id", sessionId).Bind("$limit", limit).Bind("$c_pos", after?.Position ?? 0).Bind("$c_from", from).Bind("$c_to", to);
            var links = new List<SessionLink>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                links.Add(new SessionLink(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.GetTime(4)));
            }

            return links;
        }
    }

    /// <inheritdoc />
    public Task<int> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(w => w.Command("UPDATE sessions SET status = 'expired' WHERE status IN ('active', 'inactive') AND expires_at <= $now")
            .Bind("$now", now).ExecuteNonQuery(), cancellationToken);

    /// <inheritdoc />
    public async Task<SessionStats> GetStatsAsync(string tenantId, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT COUNT(*), COALESCE(SUM(status = 'active'), 0), COALESCE(SUM(last_seq), 0), COALESCE(SUM(messages), 0),
                       COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(tool_calls), 0),
                       COALESCE(SUM(errors), 0), COALESCE(AVG((last_active_at - created_at) / 10000000.0), 0)
                FROM sessions WHERE tenant_id = $tenant;
                SELECT COUNT(*) FROM users WHERE tenant_id = $tenant AND merged_into IS NULL;
                SELECT interface, COUNT(*) FROM sessions WHERE tenant_id = $tenant GROUP BY interface ORDER BY interface;
                SELECT status, COUNT(*) FROM sessions WHERE tenant_id = $tenant GROUP BY status ORDER BY status;
                """;
            command.Bind("$tenant", tenantId);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var total = reader.GetInt64(0);
            var stats = new SessionStats
            {
                TotalSessions = total,
                ActiveSessions = reader.GetInt64(1),
                Events = reader.GetInt64(2),
                Messages = reader.GetInt64(3),
                InputTokens = reader.GetInt64(4),
                OutputTokens = reader.GetInt64(5),
                ToolCalls = reader.GetInt64(6),
                Errors = reader.GetInt64(7),
                AverageSessionSeconds = reader.GetDouble(8),
                AverageMessagesPerSession = total == 0 ? 0 : reader.GetInt64(3) / (double)total,
            };
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var users = reader.GetInt64(0);
            var byInterface = await ReadCountsAsync(reader, cancellationToken).ConfigureAwait(false);
            var byStatus = await ReadCountsAsync(reader, cancellationToken).ConfigureAwait(false);
            return stats with { Users = users, SessionsByInterface = byInterface, SessionsByStatus = byStatus };
        }
    }

    private static async Task<Dictionary<string, long>> ReadCountsAsync(SqliteDataReader reader, CancellationToken cancellationToken)
    {
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }
}
