using System.Globalization;
using System.Text.Json;
using Continuum.Agents;
using Continuum.Json;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>The registry, the hub and shared memory in SQLite. Every write is one transaction of the one writer.</summary>
public sealed class SqliteAgentStore(SqliteDatabase database) : IAgentStore
{
    private const string AgentColumns = "session_id, namespace, agent_name, agent_type, human_user, capabilities, status, current_task, registered_at, last_seen_at";
    private const string MessageColumns = "m.id, m.type, m.from_session, m.to_session, m.namespace, m.subject, m.body, m.data, m.reply_to, m.thread_id, m.created_at, m.recipients";
    private const string EntryColumns = "position, namespace, key, version, type, value, tags, author, created_at, expires_at, deleted";

    /// <inheritdoc />
    public Task<(Agent Agent, bool Created)> RegisterAsync(string tenantId, Agent agent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return database.WriteAsync(w =>
        {
            // Writes are serialized on the one writer, so what this read sees is what the upsert replaces.
            var existed = w.Command("SELECT 1 FROM agents WHERE tenant_id = $tenant AND session_id = $session").Bind("$tenant", tenantId).Bind("$session", agent.SessionId).ExecuteScalar() is not null;
            w.Command($"""
                INSERT INTO agents (tenant_id, {AgentColumns}) VALUES ($tenant, $session, $ns, $name, $type, $user, $caps, $status, NULL, $now, $now)
                ON CONFLICT DO UPDATE SET namespace = excluded.namespace, agent_name = excluded.agent_name, agent_type = excluded.agent_type,
                    human_user = excluded.human_user, capabilities = excluded.capabilities, status = excluded.status, last_seen_at = excluded.last_seen_at
                """)
                .Bind("$tenant", tenantId).Bind("$session", agent.SessionId).Bind("$ns", agent.Namespace).Bind("$name", agent.AgentName).Bind("$type", agent.AgentType)
                .Bind("$user", agent.HumanUser).Bind("$caps", JsonSerializer.Serialize(agent.Capabilities, JsonDefaults.Options)).Bind("$status", agent.ReportedStatus)
                .Bind("$now", agent.LastSeenAt)
                .ExecuteNonQuery();
            using var reader = w.Command($"SELECT {AgentColumns} FROM agents WHERE tenant_id = $tenant AND session_id = $session").Bind("$tenant", tenantId).Bind("$session", agent.SessionId).ExecuteReader();
            reader.Read();
            return (ReadAgent(reader), !existed);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Agent?> GetAgentAsync(string tenantId, string sessionId, CancellationToken cancellationToken) =>
        (await ReadAsync($"SELECT {AgentColumns} FROM agents WHERE tenant_id = $tenant AND session_id = $session",
            c => c.Bind("$tenant", tenantId).Bind("$session", sessionId), ReadAgent, cancellationToken).ConfigureAwait(false)) is [var agent] ? agent : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<Agent>> ListAgentsAsync(string tenantId, string? ns, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {AgentColumns} FROM agents WHERE tenant_id = $tenant AND ($ns IS NULL OR namespace = $ns) ORDER BY registered_at, session_id",
            c => c.Bind("$tenant", tenantId).Bind("$ns", ns), ReadAgent, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TouchAsync(string tenantId, string sessionId, DateTimeOffset now, string? status, string? currentTask, bool setTask, CancellationToken cancellationToken) =>
        database.WriteAsync(w => w.Command("""
            UPDATE agents SET last_seen_at = max(last_seen_at, $now), status = coalesce($status, status),
                current_task = CASE WHEN $setTask THEN $task ELSE current_task END
            WHERE tenant_id = $tenant AND session_id = $session
            """)
            .Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$now", now).Bind("$status", status).Bind("$task", currentTask).Bind("$setTask", setTask ? 1 : 0)
            .ExecuteNonQuery() > 0, cancellationToken);

    /// <inheritdoc />
    public Task<HubMessage> SendAsync(string tenantId, HubMessage message, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(recipients);
        return database.WriteAsync(w =>
        {
            long thread = 0;
            if (message.ReplyTo is { } replyTo)
            {
                thread = Convert.ToInt64(w.Command("SELECT thread_id FROM hub_messages WHERE tenant_id = $tenant AND id = $id").Bind("$tenant", tenantId).Bind("$id", replyTo).ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
            }

            var id = Convert.ToInt64(w.Command("""
                INSERT INTO hub_messages (tenant_id, namespace, type, from_session, to_session, subject, body, data, reply_to, thread_id, recipients, created_at)
                VALUES ($tenant, $ns, $type, $from, $to, $subject, $body, $data, $reply, $thread, $recipients, $now) RETURNING id
                """)
                .Bind("$tenant", tenantId).Bind("$ns", message.Namespace).Bind("$type", message.Type).Bind("$from", message.From).Bind("$to", message.Broadcast ? null : message.To)
                .Bind("$subject", message.Subject).Bind("$body", message.Body).Bind("$data", message.Data?.GetRawText()).Bind("$reply", message.ReplyTo)
                .Bind("$thread", thread).Bind("$recipients", recipients.Count).Bind("$now", message.CreatedAt)
                .ExecuteScalar(), CultureInfo.InvariantCulture);
            if (thread == 0)
            {
                thread = id;
                w.Command("UPDATE hub_messages SET thread_id = id WHERE id = $id").Bind("$id", id).ExecuteNonQuery();
            }

            var insert = w.Command("INSERT INTO hub_inbox (tenant_id, recipient, message_id) VALUES ($tenant, $recipient, $id)");
            var recipientParameter = insert.Parameters.AddWithValue("$recipient", "");
            insert.Parameters.AddWithValue("$tenant", tenantId);
            insert.Parameters.AddWithValue("$id", id);
            foreach (var recipient in recipients)
            {
                recipientParameter.Value = recipient;
                insert.ExecuteNonQuery();
            }

            return message with { Id = id, ThreadId = thread, Recipients = recipients.Count };
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<HubMessage?> GetMessageAsync(string tenantId, long messageId, CancellationToken cancellationToken) =>
        (await ReadAsync($"SELECT {MessageColumns} FROM hub_messages m WHERE m.tenant_id = $tenant AND m.id = $id",
            c => c.Bind("$tenant", tenantId).Bind("$id", messageId), r => ReadMessage(r), cancellationToken).ConfigureAwait(false)) is [var message] ? message : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<HubMessage>> InboxAsync(string tenantId, string recipient, string? type, bool unacknowledgedOnly, long afterPosition, int limit, CancellationToken cancellationToken) =>
        ReadAsync($"""
            SELECT {MessageColumns}, i.position, i.acked_at, i.recipient FROM hub_inbox i JOIN hub_messages m ON m.id = i.message_id
            WHERE i.tenant_id = $tenant AND i.recipient = $recipient AND i.position > $after AND ($type IS NULL OR m.type = $type) AND (NOT $unacked OR i.acked_at IS NULL)
            ORDER BY i.position LIMIT $limit
            """,
            c => c.Bind("$tenant", tenantId).Bind("$recipient", recipient).Bind("$after", afterPosition).Bind("$type", type).Bind("$unacked", unacknowledgedOnly ? 1 : 0).Bind("$limit", limit),
            r => ReadMessage(r) with { Position = r.GetInt64(12), AckedAt = r.IsDBNull(13) ? null : r.GetTime(13), To = r.GetString(14) },
            cancellationToken);

    /// <inheritdoc />
    public Task<int> AcknowledgeAsync(string tenantId, long messageId, string? recipient, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(w => w.Command("UPDATE hub_inbox SET acked_at = coalesce(acked_at, $now) WHERE tenant_id = $tenant AND message_id = $id AND ($recipient IS NULL OR recipient = $recipient)")
            .Bind("$tenant", tenantId).Bind("$id", messageId).Bind("$recipient", recipient).Bind("$now", now).ExecuteNonQuery(), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<HubMessage>> ThreadAsync(string tenantId, long threadId, long afterId, int limit, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {MessageColumns} FROM hub_messages m WHERE m.tenant_id = $tenant AND m.thread_id = $thread AND m.id > $after ORDER BY m.id LIMIT $limit",
            c => c.Bind("$tenant", tenantId).Bind("$thread", threadId).Bind("$after", afterId).Bind("$limit", limit), r => ReadMessage(r), cancellationToken);

    /// <inheritdoc />
    public Task<long> LastInboxPositionAsync(string tenantId, CancellationToken cancellationToken) =>
        ScalarAsync("SELECT COALESCE(MAX(position), 0) FROM hub_inbox", cancellationToken);

    /// <inheritdoc />
    public Task<(SharedEntry Entry, bool Created)?> WriteSharedAsync(string tenantId, string ns, string key, string type, JsonElement? value, IReadOnlyList<string> tags, string author, DateTimeOffset now, DateTimeOffset? expiresAt, bool deleted, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return database.WriteAsync<(SharedEntry Entry, bool Created)?>(w =>
        {
            var (current, live) = CurrentVersion(w, tenantId, ns, key, now);
            if (expectedVersion is { } expected && expected != (live ? current : 0) && expected != current)
            {
                return null;
            }

            if (deleted && !live)
            {
                return null;
            }

            var version = current + 1;
            w.Command("INSERT INTO shared_keys (tenant_id, namespace, key, version) VALUES ($tenant, $ns, $key, $version) ON CONFLICT DO UPDATE SET version = excluded.version")
                .Bind("$tenant", tenantId).Bind("$ns", ns).Bind("$key", key).Bind("$version", version).ExecuteNonQuery();
            var position = Convert.ToInt64(w.Command("""
                INSERT INTO shared_entries (tenant_id, namespace, key, version, type, value, tags, author, created_at, expires_at, deleted)
                VALUES ($tenant, $ns, $key, $version, $type, $value, $tags, $author, $now, $expires, $deleted) RETURNING position
                """)
                .Bind("$tenant", tenantId).Bind("$ns", ns).Bind("$key", key).Bind("$version", version).Bind("$type", type).Bind("$value", value?.GetRawText())
                .Bind("$tags", JsonSerializer.Serialize(tags, JsonDefaults.Options)).Bind("$author", author).Bind("$now", now).Bind("$expires", expiresAt).Bind("$deleted", deleted ? 1 : 0)
                .ExecuteScalar(), CultureInfo.InvariantCulture);
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
    public async Task<(long Version, bool Live)> GetSharedVersionAsync(string tenantId, string ns, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync("""
            SELECT k.version, e.deleted, e.expires_at FROM shared_keys k
            LEFT JOIN shared_entries e ON e.tenant_id = k.tenant_id AND e.namespace = k.namespace AND e.key = k.key AND e.version = k.version
            WHERE k.tenant_id = $tenant AND k.namespace = $ns AND k.key = $key
            """, c => c.Bind("$tenant", tenantId).Bind("$ns", ns).Bind("$key", key),
            r => (r.GetInt64(0), !r.IsDBNull(1) && r.GetInt64(1) == 0 && (r.IsDBNull(2) || r.GetTime(2) > now)), cancellationToken).ConfigureAwait(false);
        return rows is [var row] ? row : (0, false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SharedEntry>> GetSharedVersionsAsync(string tenantId, string ns, string key, long afterVersion, int limit, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {EntryColumns} FROM shared_entries WHERE tenant_id = $tenant AND namespace = $ns AND key = $key AND version > $after ORDER BY version LIMIT $limit",
            c => c.Bind("$tenant", tenantId).Bind("$ns", ns).Bind("$key", key).Bind("$after", afterVersion).Bind("$limit", limit), ReadEntry, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SharedEntry>> SearchSharedAsync(string tenantId, string ns, string? glob, IReadOnlyList<string> tags, string? author, string? afterKey, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return ReadAsync($"""
            SELECT {EntryColumns} FROM shared_entries e
            WHERE e.tenant_id = $tenant AND e.namespace = $ns AND e.deleted = 0 AND (e.expires_at IS NULL OR e.expires_at > $now)
              AND e.version = (SELECT k.version FROM shared_keys k WHERE k.tenant_id = e.tenant_id AND k.namespace = e.namespace AND k.key = e.key)
              AND ($glob IS NULL OR e.key GLOB $glob)
              AND ($author IS NULL OR e.author = $author)
              AND ($afterKey IS NULL OR e.key > $afterKey)
              AND (SELECT COUNT(DISTINCT t.value) FROM json_each(e.tags) t WHERE t.value IN (SELECT value FROM json_each($tags))) = $tagCount
            ORDER BY e.key LIMIT $limit
            """,
            c => c.Bind("$tenant", tenantId).Bind("$ns", ns).Bind("$glob", glob).Bind("$author", author).Bind("$afterKey", afterKey).Bind("$now", now)
                .Bind("$tags", JsonSerializer.Serialize(tags.Distinct(StringComparer.Ordinal), JsonDefaults.Options)).Bind("$tagCount", tags.Distinct(StringComparer.Ordinal).Count()).Bind("$limit", limit),
            ReadEntry, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SharedEntry>> SharedAfterAsync(string tenantId, string ns, long afterPosition, int limit, CancellationToken cancellationToken) =>
        ReadAsync($"SELECT {EntryColumns} FROM shared_entries WHERE tenant_id = $tenant AND namespace = $ns AND position > $after ORDER BY position LIMIT $limit",
            c => c.Bind("$tenant", tenantId).Bind("$ns", ns).Bind("$after", afterPosition).Bind("$limit", limit), ReadEntry, cancellationToken);

    /// <inheritdoc />
    public Task<long> LastSharedPositionAsync(string tenantId, CancellationToken cancellationToken) =>
        ScalarAsync("SELECT COALESCE(MAX(position), 0) FROM shared_entries", cancellationToken);

    /// <inheritdoc />
    public async Task<SharedStats> SharedStatsAsync(string tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var live = await ReadAsync("""
            SELECT e.namespace, e.type FROM shared_keys k JOIN shared_entries e ON e.tenant_id = k.tenant_id AND e.namespace = k.namespace AND e.key = k.key AND e.version = k.version
            WHERE k.tenant_id = $tenant AND e.deleted = 0 AND (e.expires_at IS NULL OR e.expires_at > $now)
            """, c => c.Bind("$tenant", tenantId).Bind("$now", now), r => (Namespace: r.GetString(0), Type: r.GetString(1)), cancellationToken).ConfigureAwait(false);
        var versions = (await ReadAsync("SELECT COUNT(*) FROM shared_entries WHERE tenant_id = $tenant", c => c.Bind("$tenant", tenantId), r => r.GetInt32(0), cancellationToken).ConfigureAwait(false))[0];
        return new SharedStats(live.Count, versions, live.Select(l => l.Namespace).Distinct(StringComparer.Ordinal).Count(),
            live.GroupBy(l => l.Type, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
    }

    /// <inheritdoc />
    public Task<int> PurgeExpiredAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.WriteAsync(w => w.Command("DELETE FROM shared_entries WHERE expires_at IS NOT NULL AND expires_at <= $before").Bind("$before", before).ExecuteNonQuery(), cancellationToken);

    private static (long Version, bool Live) CurrentVersion(SqliteWriteContext w, string tenantId, string ns, string key, DateTimeOffset now)
    {
        using var reader = w.Command("""
            SELECT k.version, e.deleted, e.expires_at FROM shared_keys k
            LEFT JOIN shared_entries e ON e.tenant_id = k.tenant_id AND e.namespace = k.namespace AND e.key = k.key AND e.version = k.version
            WHERE k.tenant_id = $tenant AND k.namespace = $ns AND k.key = $key
            """).Bind("$tenant", tenantId).Bind("$ns", ns).Bind("$key", key).ExecuteReader();
        return reader.Read()
            ? (reader.GetInt64(0), !reader.IsDBNull(1) && reader.GetInt64(1) == 0 && (reader.IsDBNull(2) || reader.GetTime(2) > now))
            : (0, false);
    }

    private static Agent ReadAgent(SqliteDataReader r) => AgentRows.ReadAgent(r);

    private static HubMessage ReadMessage(SqliteDataReader r) => AgentRows.ReadMessage(r);

    private static SharedEntry ReadEntry(SqliteDataReader r) => AgentRows.ReadEntry(r);

    private async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken) =>
        (await ReadAsync(sql, _ => { }, r => r.GetInt64(0), cancellationToken).ConfigureAwait(false))[0];

    private async Task<IReadOnlyList<T>> ReadAsync<T>(string sql, Action<SqliteCommand> bind, Func<SqliteDataReader, T> row, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            var items = new List<T>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(row(reader));
            }

            return items;
        }
    }
}
