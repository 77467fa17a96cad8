using System.Globalization;
using System.Text;
using Continuum.Errors;
using Continuum.Sessions;
using Continuum.Stats;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// Sessions and links in PostgreSQL. Changes lock the session row; opening a resumable session takes a
/// transaction-scoped advisory lock on its resume key, so two nodes resuming the same user at once agree on one session.
/// </summary>
public sealed class PostgresSessionStore(PostgresDatabase database, PostgresSessionCache? cache = null) : ISessionStore
{
    private const string Insert = """
        INSERT INTO sessions (tenant_id, id, user_id, agent_id, interface, interface_id, node_name, status, title, parent_id,
            created_at, last_active_at, expires_at, expires_in_seconds, token_limit,
            messages, input_tokens, output_tokens, tool_calls, errors, last_seq,
            state, preferences, metadata, summary, entities, topics, carried_over)
        VALUES (@tenant, @id, @user_id, @agent_id, @interface, @interface_id, @node_name, @status, @title, @parent_id,
                @created_at, @last_active_at, @expires_at, @expires_in_seconds, @token_limit,
                @messages, @input_tokens, @output_tokens, @tool_calls, @errors, @last_seq,
                @state, @preferences, @metadata, @summary, @entities, @topics, @carried_over)
        """;

    private const string Replace = """
        UPDATE sessions SET user_id = @user_id, agent_id = @agent_id, interface = @interface, interface_id = @interface_id,
            node_name = @node_name, status = @status, title = @title, parent_id = @parent_id, last_active_at = @last_active_at,
            expires_at = @expires_at, expires_in_seconds = @expires_in_seconds, token_limit = @token_limit,
            state = @state, preferences = @preferences, metadata = @metadata, summary = @summary, entities = @entities,
            topics = @topics, carried_over = @carried_over
        WHERE tenant_id = @tenant AND id = @id
        """;

    private const string SelectById = $"SELECT {PostgresCommands.SessionColumns} FROM sessions WHERE tenant_id = @tenant AND id = @id";

    /// <inheritdoc />
    public Task<OpenSessionResult> OpenAsync(string tenantId, Session candidate, ResumeKey? resumeKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return database.WriteAsync(async (c, t) =>
        {
            if (resumeKey is not null)
            {
                var lockKey = $"{tenantId}\n{resumeKey.UserId}\n{resumeKey.Interface}\n{resumeKey.InterfaceId}\n{resumeKey.AgentId}";
                using (var guard = c.Command("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", t).Bind("key", lockKey))
                {
                    await guard.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                if (await FindResumableAsync(c, t, tenantId, resumeKey, now, cancellationToken).ConfigureAwait(false) is { } existing)
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
                    using var replace = c.Command(Replace, t).BindSession(tenantId, resumed);
                    await replace.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    return new OpenSessionResult(resumed, false);
                }
            }

            using var insert = c.Command(Insert, t).BindSession(tenantId, candidate);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new OpenSessionResult(candidate, true);
        }, cancellationToken);
    }

    private static async Task<Session?> FindResumableAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, ResumeKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var command = key.UserId is not null
            ? c.Command($"""
                SELECT {PostgresCommands.SessionColumns} FROM sessions
                WHERE tenant_id = @tenant AND user_id = @user AND agent_id IS NOT DISTINCT FROM @agent
                  AND status IN ('active', 'inactive') AND expires_at > @now
                ORDER BY last_active_at DESC LIMIT 1 FOR UPDATE
                """, t).Bind("user", key.UserId)
            : c.Command($"""
                SELECT {PostgresCommands.SessionColumns} FROM sessions
                WHERE tenant_id = @tenant AND user_id IS NULL AND interface = @interface AND interface_id = @interface_id
                  AND agent_id IS NOT DISTINCT FROM @agent AND status IN ('active', 'inactive') AND expires_at > @now
                ORDER BY last_active_at DESC LIMIT 1 FOR UPDATE
                """, t).Bind("interface", key.Interface).Bind("interface_id", key.InterfaceId);
        await using (command)
        {
            command.Bind("tenant", tenantId).Bind("agent", key.AgentId).Bind("now", now);
            return (await command.ReadAllAsync(PostgresCommands.ReadSession, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        }
    }

    private static async Task<Session?> GetAsync(NpgsqlConnection c, NpgsqlTransaction? t, string tenantId, string sessionId, bool forUpdate, CancellationToken cancellationToken)
    {
        using var command = c.Command(SelectById + (forUpdate ? " FOR UPDATE" : ""), t).Bind("tenant", tenantId).Bind("id", sessionId);
        return (await command.ReadAllAsync(PostgresCommands.ReadSession, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    /// <inheritdoc />
    public Task<Session?> GetAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        cache is null
            ? database.ReadAsync(c => GetAsync(c, null, tenantId, sessionId, false, cancellationToken), cancellationToken)
            : database.ReadAsync(c => GetCachedAsync(c, cache, tenantId, sessionId, cancellationToken), cancellationToken);

    // The cached copy is answered only if the row's version (xmin) is still the one it was read at.
    private static async Task<Session?> GetCachedAsync(NpgsqlConnection c, PostgresSessionCache cache, string tenantId, string sessionId, CancellationToken cancellationToken)
    {
        if (cache.TryGet(tenantId, sessionId, out var cached, out var version))
        {
            using var check = c.Command("SELECT xmin::text FROM sessions WHERE tenant_id = @tenant AND id = @id").Bind("tenant", tenantId).Bind("id", sessionId);
            var current = await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            if (current == version)
            {
                cache.Hit();
                return cached;
            }

            cache.Invalidate(sessionId);
            if (current is null)
            {
                cache.Miss();
                return null;
            }
        }

        cache.Miss();
        using var command = c.Command($"SELECT {PostgresCommands.SessionColumns}, xmin::text FROM sessions WHERE tenant_id = @tenant AND id = @id").Bind("tenant", tenantId).Bind("id", sessionId);
        var rows = await command.ReadAllAsync(r => (Session: PostgresCommands.ReadSession(r), Version: r.GetString(27)), cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return null;
        }

        cache.Put(tenantId, rows[0].Session, rows[0].Version);
        return rows[0].Session;
    }

    /// <inheritdoc />
    public Task<Page<Session>> ListAsync(string tenantId, SessionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = query.PageSize;
        return database.ReadAsync(async c =>
        {
            var sql = new StringBuilder($"SELECT {PostgresCommands.SessionColumns} FROM sessions WHERE tenant_id = @tenant");
            using var command = c.Command("").Bind("tenant", tenantId);
            var n = 0;
            foreach (var (column, value) in query.Equalities())
            {
                sql.Append(CultureInfo.InvariantCulture, $" AND {column} = @f{n}");
                command.Bind($"f{n++}", value);
            }

            if (ListCursor.Parse(query.Cursor) is { } cursor)
            {
                sql.Append(" AND (created_at < @c_ticks OR (created_at = @c_ticks AND id < @c_id))");
                command.Bind("c_ticks", cursor.Position).Bind("c_id", cursor.Id);
            }

            sql.Append(" ORDER BY created_at DESC, id DESC LIMIT @limit");
            command.Bind("limit", limit + 1);
            command.CommandText = sql.ToString();
            var items = await command.ReadAllAsync(PostgresCommands.ReadSession, cancellationToken).ConfigureAwait(false);
            return ListCursor.Page(items, limit, s => ListCursor.After(s.CreatedAt, s.Id));
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<Session?> UpdateAsync(string tenantId, string sessionId, Func<Session, Session> update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        return database.WriteAsync(async (c, t) =>
        {
            if (await GetAsync(c, t, tenantId, sessionId, true, cancellationToken).ConfigureAwait(false) is not { } current)
            {
                return null;
            }

            var updated = update(current) with { Id = current.Id, Counters = current.Counters, LastSeq = current.LastSeq, CreatedAt = current.CreatedAt };
            using var replace = c.Command(Replace, t).BindSession(tenantId, updated);
            await replace.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return updated;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, t) =>
        {
            using (var delete = c.Command("DELETE FROM sessions WHERE tenant_id = @tenant AND id = @id", t).Bind("tenant", tenantId).Bind("id", sessionId))
            {
                if (await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    return false;
                }
            }

            foreach (var sql in (string[])[
                "DELETE FROM events WHERE tenant_id = @tenant AND session_id = @id",
                "DELETE FROM session_links WHERE tenant_id = @tenant AND (from_session_id = @id OR to_session_id = @id)",
                "DELETE FROM summaries WHERE tenant_id = @tenant AND session_id = @id",
                "DELETE FROM session_entities WHERE tenant_id = @tenant AND session_id = @id",
                "DELETE FROM user_entity_sessions WHERE tenant_id = @tenant AND session_id = @id",
            ])
            {
                using var command = c.Command(sql, t).Bind("tenant", tenantId).Bind("id", sessionId);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<Session> DeriveAsync(string tenantId, string parentId, string linkType, long? forkAtSeq, int lastMessages,
        Func<Session, IReadOnlyList<SessionEvent>, Session> makeChild, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(makeChild);
        return database.WriteAsync(async (c, t) =>
        {
            var parent = await GetAsync(c, t, tenantId, parentId, true, cancellationToken).ConfigureAwait(false);
            var atSeq = SessionDerivation.ForkPoint(parentId, parent, forkAtSeq);
            List<SessionEvent> last = [];
            if (lastMessages > 0)
            {
                using var recent = c.Command($"SELECT {PostgresCommands.EventColumns} FROM events WHERE tenant_id = @tenant AND session_id = @id AND type = 'message' ORDER BY seq DESC LIMIT @n", t)
                    .Bind("tenant", tenantId).Bind("id", parentId).Bind("n", lastMessages);
                last = await recent.ReadAllAsync(PostgresCommands.ReadEvent, cancellationToken).ConfigureAwait(false);
                last.Reverse();
            }

            List<string> entities;
            using (var top = c.Command("SELECT name FROM session_entities WHERE session_id = @id ORDER BY mentions DESC, last_seq DESC LIMIT @n", t).Bind("id", parentId).Bind("n", SessionDerivation.TopEntities))
            {
                entities = await top.ReadAllAsync(r => r.GetString(0), cancellationToken).ConfigureAwait(false);
            }

            var (child, link, copyThrough) = SessionDerivation.Derive(parent!, linkType, atSeq, entities, last, makeChild);
            using (var insert = c.Command(Insert, t).BindSession(tenantId, child))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (copyThrough > 0)
            {
                child = await CopyEventsAsync(c, t, tenantId, parentId, child, copyThrough, cancellationToken).ConfigureAwait(false);
            }

            using var linkRow = c.Command("""
                INSERT INTO session_links (tenant_id, from_session_id, to_session_id, type, at_seq, created_at)
                VALUES (@tenant, @from, @to, @type, @at, @created)
                """, t)
                .Bind("tenant", tenantId).Bind("from", link.FromSessionId).Bind("to", link.ToSessionId).Bind("type", link.Type)
                .BindNullable("at", link.AtSeq).Bind("created", link.CreatedAt);
            await linkRow.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return child;
        }, cancellationToken);
    }

    private static async Task<Session> CopyEventsAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, string parentId, Session child, long atSeq, CancellationToken cancellationToken)
    {
        // The fork gets its own copies (new ids, same seq, content and times) so it can diverge freely.
        using (var copy = c.Command("""
            INSERT INTO events (tenant_id, session_id, seq, id, user_id, type, role, name, content, tokens, entities, interface, created_at, metadata, idempotency_key)
            SELECT tenant_id, @child, seq, 'evt_' || substr(id, 5, 10) || upper(substr(md5(random()::text || id), 1, 16)), user_id, type, role, name, content, tokens, entities, interface, created_at, metadata, idempotency_key
            FROM events WHERE tenant_id = @tenant AND session_id = @parent AND seq <= @at
            """, t).Bind("tenant", tenantId).Bind("child", child.Id).Bind("parent", parentId).Bind("at", atSeq))
        {
            await copy.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var counters = c.Command("""
            UPDATE sessions SET
                messages = (SELECT count(*) FROM events WHERE session_id = @child AND type = 'message'),
                input_tokens = (SELECT coalesce(sum(tokens), 0) FROM events WHERE session_id = @child AND role <> 'assistant'),
                output_tokens = (SELECT coalesce(sum(tokens), 0) FROM events WHERE session_id = @child AND role = 'assistant'),
                tool_calls = (SELECT count(*) FROM events WHERE session_id = @child AND type = 'tool_call'),
                errors = (SELECT count(*) FROM events WHERE session_id = @child AND type = 'error'),
                unsummarized_tokens = (SELECT coalesce(sum(tokens), 0) FROM events WHERE session_id = @child)
            WHERE id = @child
            """, t).Bind("child", child.Id))
        {
            await counters.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return (await GetAsync(c, t, tenantId, child.Id, false, cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionLink>> GetLinksAsync(string tenantId, string sessionId, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<SessionLink>>(async c =>
        {
            using var command = c.Command("""
                SELECT from_session_id, to_session_id, type, at_seq, created_at FROM session_links
                WHERE tenant_id = @tenant AND (from_session_id = @id OR to_session_id = @id)
                  AND (@c_from::text IS NULL OR (created_at, from_session_id, to_session_id) > (@c_pos, @c_from::text, @c_to::text))
                ORDER BY created_at, from_session_id, to_session_id LIMIT @limit
                """).Bind("tenant", tenantId).Bind("id", sessionId).Bind("limit", limit).Bind("c_pos", after?.Position ?? 0L)
                .Bind("c_from", after is { } cut ? SessionLink.CursorIds(cut).From : null).Bind("c_to", after is { } c2 ? SessionLink.CursorIds(c2).To : null);
            return await command.ReadAllAsync(r => new SessionLink(r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt64(3), r.GetTime(4)), cancellationToken)
                .ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<int> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, t) =>
        {
            using var command = c.Command("UPDATE sessions SET status = 'expired' WHERE status IN ('active', 'inactive') AND expires_at <= @now", t).Bind("now", now);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<SessionStats> GetStatsAsync(string tenantId, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            SessionStats stats;
            using (var totals = c.Command("""
                SELECT count(*), count(*) FILTER (WHERE status = 'active'), coalesce(sum(last_seq), 0), coalesce(sum(messages), 0),
                       coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(tool_calls), 0),
                       coalesce(sum(errors), 0), coalesce(avg((last_active_at - created_at) / 10000000.0), 0)::float8
                FROM sessions WHERE tenant_id = @tenant
                """).Bind("tenant", tenantId))
            {
                stats = (await totals.ReadAllAsync(r => new SessionStats
                {
                    TotalSessions = r.GetInt64(0),
                    ActiveSessions = r.GetInt64(1),
                    Events = Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture),
                    Messages = Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture),
                    InputTokens = Convert.ToInt64(r.GetValue(4), CultureInfo.InvariantCulture),
                    OutputTokens = Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture),
                    ToolCalls = Convert.ToInt64(r.GetValue(6), CultureInfo.InvariantCulture),
                    Errors = Convert.ToInt64(r.GetValue(7), CultureInfo.InvariantCulture),
                    AverageSessionSeconds = r.GetDouble(8),
                }, cancellationToken).ConfigureAwait(false))[0];
            }

            stats = stats with { AverageMessagesPerSession = stats.TotalSessions == 0 ? 0 : stats.Messages / (double)stats.TotalSessions };
            using var users = c.Command("SELECT count(*) FROM users WHERE tenant_id = @tenant AND merged_into IS NULL").Bind("tenant", tenantId);
            var userCount = (long)(await users.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            using var byInterface = c.Command("SELECT interface, count(*) FROM sessions WHERE tenant_id = @tenant GROUP BY interface ORDER BY interface").Bind("tenant", tenantId);
            var interfaces = (await byInterface.ReadAllAsync(r => (r.GetString(0), r.GetInt64(1)), cancellationToken).ConfigureAwait(false)).ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);
            using var byStatus = c.Command("SELECT status, count(*) FROM sessions WHERE tenant_id = @tenant GROUP BY status ORDER BY status").Bind("tenant", tenantId);
            var statuses = (await byStatus.ReadAllAsync(r => (r.GetString(0), r.GetInt64(1)), cancellationToken).ConfigureAwait(false)).ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);
            return stats with { Users = userCount, SessionsByInterface = interfaces, SessionsByStatus = statuses };
        }, cancellationToken);
}
