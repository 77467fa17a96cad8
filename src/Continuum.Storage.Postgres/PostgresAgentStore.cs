using System.Globalization;
using System.Text;
using System.Text.Json;
using Continuum.Agents;
using Continuum.Json;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// The registry, the hub and shared memory in PostgreSQL. Inbox and shared-memory positions are what live streams
/// resume from, so they must become visible in order: the writes that take them hold a per-tenant advisory lock
/// until they commit, which makes positions commit in the order they were drawn on every node.
/// </summary>
public sealed class PostgresAgentStore(PostgresDatabase database) : IAgentStore
{
    private const string AgentColumns = "session_id, namespace, agent_name, agent_type, human_user, capabilities::text, status, current_task, registered_at, last_seen_at";
    private const string MessageColumns = "m.id, m.type, m.from_session, m.to_session, m.namespace, m.subject, m.body, m.data::text, m.reply_to, m.thread_id, m.created_at, m.recipients";
    private const string EntryColumns = "position, namespace, key, version, type, value::text, tags::text, author, created_at, expires_at, deleted";

    /// <inheritdoc />
    public Task<(Agent Agent, bool Created)> RegisterAsync(string tenantId, Agent agent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return database.WriteAsync(async (c, t) =>
        {
            using var command = c.Command($"""
                INSERT INTO agents (tenant_id, session_id, namespace, agent_name, agent_type, human_user, capabilities, status, current_task, registered_at, last_seen_at)
                VALUES (@tenant, @session, @ns, @name, @type, @user, @caps, @status, NULL, @now, @now)
                ON CONFLICT (tenant_id, session_id) DO UPDATE SET namespace = excluded.namespace, agent_name = excluded.agent_name, agent_type = excluded.agent_type,
                    human_user = excluded.human_user, capabilities = excluded.capabilities, status = excluded.status, last_seen_at = excluded.last_seen_at
                RETURNING {AgentColumns}, (xmax = 0) AS inserted
                """, t)
                .Bind("tenant", tenantId).Bind("session", agent.SessionId).Bind("ns", agent.Namespace).Bind("name", agent.AgentName).Bind("type", agent.AgentType)
                .Bind("user", agent.HumanUser).BindJson("caps", JsonSerializer.Serialize(agent.Capabilities, JsonDefaults.Options)).Bind("status", agent.ReportedStatus)
                .Bind("now", agent.LastSeenAt);
            // xmax is 0 on a row version an INSERT made, and the updating transaction's id after ON CONFLICT DO UPDATE.
            return (await command.ReadAllAsync(r => (ReadAgent(r), r.GetBoolean(r.FieldCount - 1)), cancellationToken).ConfigureAwait(false))[0];
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Agent?> GetAgentAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        await ReadAsync($"SELECT {AgentColumns} FROM agents WHERE tenant_id = @tenant AND session_id = @session",
            c => c.Bind("tenant", tenantId).Bind("session", sessionId), ReadAgent, cancellationToken).ConfigureAwait(false) is [var agent] ? agent : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<Agent>> ListAgentsAsync(string tenantId, string? ns, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {AgentColumns} FROM agents WHERE tenant_id = @tenant AND (@ns::text IS NULL OR namespace = @ns) ORDER BY registered_at, session_id",
            c => c.Bind("tenant", tenantId).Bind("ns", ns), ReadAgent, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TouchAsync(string tenantId, string sessionId, DateTimeOffset now, string? status, string? currentTask, bool setTask, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, t) =>
        {
            using var command = c.Command("""
                UPDATE agents SET last_seen_at = greatest(last_seen_at, @now), status = coalesce(@status, status),
                    current_task = CASE WHEN @setTask THEN @task ELSE current_task END
                WHERE tenant_id = @tenant AND session_id = @session
                """, t)
                .Bind("tenant", tenantId).Bind("session", sessionId).Bind("now", now).Bind("status", status).Bind("task", currentTask).Bind("setTask", setTask);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<HubMessage> SendAsync(string tenantId, HubMessage message, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(recipients);
        return database.WriteAsync(async (c, t) =>
        {
            await LockAsync(c, t, tenantId, "hub", cancellationToken).ConfigureAwait(false);
            long thread = 0;
            if (message.ReplyTo is { } replyTo)
            {
                using var find = c.Command("SELECT thread_id FROM hub_messages WHERE tenant_id = @tenant AND id = @id", t).Bind("tenant", tenantId).Bind("id", replyTo);
                thread = await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long found ? found : 0;
            }

            long id;
            using (var insert = c.Command("""
                INSERT INTO hub_messages (tenant_id, namespace, type, from_session, to_session, subject, body, data, reply_to, thread_id, recipients, created_at)
                VALUES (@tenant, @ns, @type, @from, @to, @subject, @body, @data, @reply, @thread, @recipients, @now) RETURNING id
                """, t)
                .Bind("tenant", tenantId).Bind("ns", message.Namespace).Bind("type", message.Type).Bind("from", message.From).Bind("to", message.Broadcast ? null : message.To)
                .Bind("subject", message.Subject).Bind("body", message.Body).BindJson("data", message.Data?.GetRawText()).BindNullable("reply", message.ReplyTo)
                .Bind("thread", thread).Bind("recipients", recipients.Count).Bind("now", message.CreatedAt))
            {
                id = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            if (thread == 0)
            {
                thread = id;
                using var update = c.Command("UPDATE hub_messages SET thread_id = id WHERE id = @id", t).Bind("id", id);
                await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (recipients.Count > 0)
            {
                using var inbox = c.Command("INSERT INTO hub_inbox (tenant_id, recipient, message_id) SELECT @tenant, r, @id FROM unnest(@recipients) WITH ORDINALITY AS x(r, n) ORDER BY n", t)
                    .Bind("tenant", tenantId).Bind("id", id).Bind("recipients", recipients.ToArray());
                await inbox.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return message with { Id = id, ThreadId = thread, Recipients = recipients.Count };
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<HubMessage?> GetMessageAsync(string tenantId, long messageId, CancellationToken cancellationToken) =>
        await ReadAsync($"SELECT {MessageColumns} FROM hub_messages m WHERE m.tenant_id = @tenant AND m.id = @id",
            c => c.Bind("tenant", tenantId).Bind("id", messageId), r => ReadMessage(r), cancellationToken).ConfigureAwait(false) is [var message] ? message : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<HubMessage>> InboxAsync(string tenantId, string recipient, string? type, bool unacknowledgedOnly, long afterPosition, int limit, CancellationToken cancellationToken) =>
        ReadAsync($"""
            SELECT {MessageColumns}, i.position, i.acked_at, i.recipient FROM hub_inbox i JOIN hub_messages m ON m.id = i.message_id
            WHERE i.tenant_id = @tenant AND i.recipient = @recipient AND i.position > @after AND (@type::text IS NULL OR m.type = @type) AND (NOT @unacked OR i.acked_at IS NULL)
            ORDER BY i.position LIMIT @limit
            """,
            c => c.Bind("tenant", tenantId).Bind("recipient", recipient).Bind("after", afterPosition).Bind("type", type).Bind("unacked", unacknowledgedOnly).Bind("limit", limit),
            r => ReadMessage(r) with { Position = r.GetInt64(12), AckedAt = r.IsDBNull(13) ? null : r.GetTime(13), To = r.GetString(14) },
            cancellationToken);

    /// <inheritdoc />
    public Task<int> AcknowledgeAsync(string tenantId, long messageId, string? recipient, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, t) =>
        {
            using var command = c.Command("UPDATE hub_inbox SET acked_at = coalesce(acked_at, @now) WHERE tenant_id = @tenant AND message_id = @id AND (@recipient::text IS NULL OR recipient = @recipient)", t)
                .Bind("tenant", tenantId).Bind("id", messageId).Bind("recipient", recipient).Bind("now", now);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<HubMessage>> ThreadAsync(string tenantId, long threadId, long afterId, int limit, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {MessageColumns} FROM hub_messages m WHERE m.tenant_id = @tenant AND m.thread_id = @thread AND m.id > @after ORDER BY m.id LIMIT @limit",
            c => c.Bind("tenant", tenantId).Bind("thread", threadId).Bind("after", afterId).Bind("limit", limit), r => ReadMessage(r), cancellationToken);

    /// <inheritdoc />
    public async Task<long> LastInboxPositionAsync(string tenantId, CancellationToken cancellationToken) =>
        (await ReadAsync("SELECT coalesce(max(position), 0) FROM hub_inbox", _ => { }, r => r.GetInt64(0), cancellationToken).ConfigureAwait(false))[0];

    /// <inheritdoc />
    public Task<(SharedEntry Entry, bool Created)?> WriteSharedAsync(string tenantId, string ns, string key, string type, JsonElement? value, IReadOnlyList<string> tags, string author, DateTimeOffset now, DateTimeOffset? expiresAt, bool deleted, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return database.WriteAsync<(SharedEntry Entry, bool Created)?>(async (c, t) =>
        {
            await LockAsync(c, t, tenantId, "shared", cancellationToken).ConfigureAwait(false);
            var (current, live) = await CurrentVersionAsync(c, t, tenantId, ns, key, now, cancellationToken).ConfigureAwait(false);
            if (expectedVersion is { } expected && expected != (live ? current : 0) && expected != current)
            {
                return null;
            }

            if (deleted && !live)
            {
                return null;
            }

            var version = current + 1;
            using (var keys = c.Command("""
                INSERT INTO shared_keys (tenant_id, namespace, key, version) VALUES (@tenant, @ns, @key, @version)
                ON CONFLICT (tenant_id, namespace, key) DO UPDATE SET version = excluded.version
                """, t).Bind("tenant", tenantId).Bind("ns", ns).Bind("key", key).Bind("version", version))
            {
                await keys.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            long position;
            using (var insert = c.Command("""
                INSERT INTO shared_entries (tenant_id, namespace, key, version, type, value, tags, author, created_at, expires_at, deleted)
                VALUES (@tenant, @ns, @key, @version, @type, @value, @tags, @author, @now, @expires, @deleted) RETURNING position
                """, t)
                .Bind("tenant", tenantId).Bind("ns", ns).Bind("key", key).Bind("version", version).Bind("type", type).BindJson("value", value?.GetRawText())
                .BindJson("tags", JsonSerializer.Serialize(tags, JsonDefaults.Options)).Bind("author", author).Bind("now", now)
                .BindNullable("expires", expiresAt?.UtcTicks).Bind("deleted", deleted))
            {
                position = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            return (new SharedEntry
            {
                Namespace = ns,
                Key = key,
                Version = version,
                Type = type,
                Value = value,
                Tags = tags,
                Author = author,
                CreatedAt = now,
                ExpiresAt = expiresAt,
                Deleted = deleted,
                Position = position,
            }, !live);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<(long Version, bool Live)> GetSharedVersionAsync(string tenantId, string ns, string key, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ReadAsync(c => CurrentVersionAsync(c, null, tenantId, ns, key, now, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SharedEntry>> GetSharedVersionsAsync(string tenantId, string ns, string key, long afterVersion, int limit, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {EntryColumns} FROM shared_entries WHERE tenant_id = @tenant AND namespace = @ns AND key = @key AND version > @after ORDER BY version LIMIT @limit",
            c => c.Bind("tenant", tenantId).Bind("ns", ns).Bind("key", key).Bind("after", afterVersion).Bind("limit", limit), ReadEntry, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SharedEntry>> SearchSharedAsync(string tenantId, string ns, string? glob, IReadOnlyList<string> tags, string? author, string? afterKey, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var distinct = tags.Distinct(StringComparer.Ordinal).ToArray();
        return ReadAsync($"""
            SELECT {EntryColumns} FROM shared_entries e
            WHERE e.tenant_id = @tenant AND e.namespace = @ns AND NOT e.deleted AND (e.expires_at IS NULL OR e.expires_at > @now)
              AND e.version = (SELECT k.version FROM shared_keys k WHERE k.tenant_id = e.tenant_id AND k.namespace = e.namespace AND k.key = e.key)
              AND (@pattern::text IS NULL OR e.key ~ @pattern)
              AND (@author::text IS NULL OR e.author = @author)
              AND (@afterKey::text IS NULL OR e.key COLLATE "C" > @afterKey)
              AND (SELECT count(DISTINCT x) FROM json_array_elements_text(e.tags) x WHERE x = ANY(@tags)) = @tagCount
            ORDER BY e.key COLLATE "C" LIMIT @limit
            """,
            c => c.Bind("tenant", tenantId).Bind("ns", ns).Bind("pattern", glob is null ? null : GlobToRegex(glob)).Bind("author", author).Bind("afterKey", afterKey).Bind("now", now)
                .Bind("tags", distinct).Bind("tagCount", (long)distinct.Length).Bind("limit", limit),
            ReadEntry, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SharedEntry>> SharedAfterAsync(string tenantId, string ns, long afterPosition, int limit, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {EntryColumns} FROM shared_entries WHERE tenant_id = @tenant AND namespace = @ns AND position > @after ORDER BY position LIMIT @limit",
            c => c.Bind("tenant", tenantId).Bind("ns", ns).Bind("after", afterPosition).Bind("limit", limit), ReadEntry, cancellationToken);

    /// <inheritdoc />
    public async Task<long> LastSharedPositionAsync(string tenantId, CancellationToken cancellationToken) =>
        (await ReadAsync("SELECT coalesce(max(position), 0) FROM shared_entries", _ => { }, r => r.GetInt64(0), cancellationToken).ConfigureAwait(false))[0];

    /// <inheritdoc />
    public async Task<SharedStats> SharedStatsAsync(string tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var live = await ReadAsync("""
            SELECT e.namespace, e.type FROM shared_keys k JOIN shared_entries e ON e.tenant_id = k.tenant_id AND e.namespace = k.namespace AND e.key = k.key AND e.version = k.version
            WHERE k.tenant_id = @tenant AND NOT e.deleted AND (e.expires_at IS NULL OR e.expires_at > @now)
            """, c => c.Bind("tenant", tenantId).Bind("now", now), r => (Namespace: r.GetString(0), Type: r.GetString(1)), cancellationToken).ConfigureAwait(false);
        var versions = (await ReadAsync("SELECT count(*) FROM shared_entries WHERE tenant_id = @tenant", c => c.Bind("tenant", tenantId), r => Convert.ToInt32(r.GetInt64(0)), cancellationToken).ConfigureAwait(false))[0];
        return new SharedStats(live.Count, versions, live.Select(l => l.Namespace).Distinct(StringComparer.Ordinal).Count(),
            live.GroupBy(l => l.Type, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
    }

    /// <inheritdoc />
    public Task<int> PurgeExpiredAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, t) =>
        {
            using var command = c.Command("DELETE FROM shared_entries WHERE expires_at IS NOT NULL AND expires_at <= @before", t).Bind("before", before);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// A glob (<c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>, <c>[^abc]</c>) as an anchored regular expression that
    /// matches what SQLite's <c>GLOB</c> matches and is always valid: every character is taken literally but the
    /// wildcards, and a range whose ends are out of order (<c>[z-a]</c>) matches nothing, as in SQLite.
    /// </summary>
    public static string GlobToRegex(string glob)
    {
        ArgumentNullException.ThrowIfNull(glob);
        var regex = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var ch = glob[i];
            switch (ch)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[' when glob.IndexOf(']', i + 1) is var end and > 0:
                    AppendSet(regex, glob[(i + 1)..end]);
                    i = end;
                    break;
                default:
                    regex.Append(Literal(ch));
                    break;
            }
        }

        return regex.Append('$').ToString();
    }

    // A set's members escaped one by one, so that no set is an invalid regular expression; a set left with no members
    // (only reversed ranges) matches no character, and its negation any character.
    private static void AppendSet(StringBuilder regex, string set)
    {
        var negated = set.StartsWith('^');
        var members = new StringBuilder();
        for (var i = negated ? 1 : 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-' && !char.IsSurrogate(set[i]) && !char.IsSurrogate(set[i + 2]))
            {
                if (set[i] <= set[i + 2])
                {
                    members.Append(Literal(set[i])).Append('-').Append(Literal(set[i + 2]));
                }

                i += 2;
            }
            else
            {
                members.Append(Literal(set[i]));
            }
        }

        regex.Append(members.Length > 0 ? (negated ? "[^" : "[") + members + "]" : negated ? "." : "(?!x)x");
    }

    // A character as itself: letters, digits and the halves of a surrogate pair as they are, anything else escaped.
    private static string Literal(char ch) => char.IsLetterOrDigit(ch) || char.IsSurrogate(ch) ? ch.ToString() : "\\" + ch;

    private static async Task LockAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, string what, CancellationToken cancellationToken)
    {
        using var command = c.Command("SELECT pg_advisory_xact_lock(hashtextextended(@key, 3))", t).Bind("key", tenantId + "\n" + what);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(long Version, bool Live)> CurrentVersionAsync(NpgsqlConnection c, NpgsqlTransaction? t, string tenantId, string ns, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var command = c.Command("""
            SELECT k.version, e.deleted, e.expires_at FROM shared_keys k
            LEFT JOIN shared_entries e ON e.tenant_id = k.tenant_id AND e.namespace = k.namespace AND e.key = k.key AND e.version = k.version
            WHERE k.tenant_id = @tenant AND k.namespace = @ns AND k.key = @key
            """, t).Bind("tenant", tenantId).Bind("ns", ns).Bind("key", key);
        var rows = await command.ReadAllAsync(r => (r.GetInt64(0), !r.IsDBNull(1) && !r.GetBoolean(1) && (r.IsDBNull(2) || r.GetTime(2) > now)), cancellationToken).ConfigureAwait(false);
        return rows is [var row] ? row : (0, false);
    }

    private static Agent ReadAgent(NpgsqlDataReader r) => AgentRows.ReadAgent(r);

    private static HubMessage ReadMessage(NpgsqlDataReader r) => AgentRows.ReadMessage(r);

    private static SharedEntry ReadEntry(NpgsqlDataReader r) => AgentRows.ReadEntry(r);

    private Task<IReadOnlyList<T>> ReadAsync<T>(string sql, Action<NpgsqlCommand> bind, Func<NpgsqlDataReader, T> row, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<T>>(async c =>
        {
            using var command = c.Command(sql);
            bind(command);
            return await command.ReadAllAsync(row, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
}
