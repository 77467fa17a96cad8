using Continuum.Sessions;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// Session event logs in PostgreSQL. An append locks its session row for its transaction (by bumping it in a group
/// commit, or <c>FOR UPDATE</c> when run alone), so appends to one session through any number of nodes take seq
/// numbers one after another, with no gap and no duplicate, and an idempotency key is checked under the same lock
/// (backed by a unique index).
/// </summary>
public sealed class PostgresEventStore : IEventStore, IAppendGroupReport, IAsyncDisposable
{
    private const string LockSession = "SELECT user_id, interface, status, expires_at, expires_in_seconds, last_seq FROM sessions WHERE tenant_id = @tenant AND id = @id FOR UPDATE";

    private const string SelectByKey = $"SELECT {PostgresCommands.EventColumns} FROM events WHERE session_id = @session AND idempotency_key = @key";

    private const string InsertEvent = """
        INSERT INTO events (tenant_id, session_id, seq, id, user_id, type, role, name, content, tokens, entities, interface, created_at, metadata, idempotency_key)
        VALUES (@tenant, @session, @seq, @id, @user, @type, @role, @name, @content, @tokens, @entities, @interface, @created_at, @metadata, @key)
        """;

    private const string UpdateSession = """
        UPDATE sessions SET last_seq = @seq, status = 'active', last_active_at = @now, expires_at = @expires_at,
            messages = messages + @messages, input_tokens = input_tokens + @input, output_tokens = output_tokens + @output,
            tool_calls = tool_calls + @tool_calls, errors = errors + @errors, unsummarized_tokens = unsummarized_tokens + @input + @output
        WHERE tenant_id = @tenant AND id = @session
        RETURNING unsummarized_tokens, token_limit
        """;

    private const string CountSessionEntity = """
        INSERT INTO session_entities (tenant_id, session_id, key, name, kind, mentions, last_seq)
        VALUES (@tenant, @session, @key, @name, @kind, 1, @seq)
        ON CONFLICT (session_id, key) DO UPDATE SET mentions = session_entities.mentions + 1, last_seq = excluded.last_seq
        """;

    private const string CountUserEntity = """
        INSERT INTO user_entities (tenant_id, user_id, key, name, kind, first_seen, last_seen, mentions)
        VALUES (@tenant, @user, @key, @name, @kind, @at, @at, 1)
        ON CONFLICT (tenant_id, user_id, key) DO UPDATE SET mentions = user_entities.mentions + 1,
            first_seen = least(user_entities.first_seen, excluded.first_seen), last_seen = greatest(user_entities.last_seen, excluded.last_seen)
        """;

    private const string NoteUserEntitySession = """
        INSERT INTO user_entity_sessions (tenant_id, user_id, key, session_id, interface)
        VALUES (@tenant, @user, @key, @session, @interface) ON CONFLICT DO NOTHING
        """;

    /// <summary>How many append groups each node writes at once, by default.</summary>
    public const int DefaultAppendWriters = 1;

    private readonly PostgresDatabase _database;
    private readonly PostgresAppendGroups _groups;

    /// <summary>
    /// The event log in <paramref name="database"/>; appends are committed in groups by <paramref name="appendWriters"/>
    /// writers at once.
    /// </summary>
    public PostgresEventStore(PostgresDatabase database, int appendWriters = DefaultAppendWriters)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _groups = new PostgresAppendGroups(database, appendWriters);
    }

    /// <inheritdoc />
    public async Task<AppendOutcome> AppendAsync(string tenantId, string sessionId, IReadOnlyList<EventRecord> events, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var plan = AppendPlan.For(sessionId, events);

        // The append joins a group commit; one the group hands back (a session not open, a key already stored, an
        // error) runs alone below, under the session's row lock, and says why or answers with the stored original.
        if (events.Count > 0 && await _groups.AppendAsync(tenantId, plan, now, cancellationToken).ConfigureAwait(false) is { } grouped)
        {
            return grouped;
        }

        return await _database.WriteAsync((c, t) => AppendAsync(c, t, tenantId, sessionId, plan, now, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public AppendGroupStats AppendGroups => _groups.Stats;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _groups.DisposeAsync();

    private static async Task<AppendOutcome> AppendAsync(
        NpgsqlConnection c, NpgsqlTransaction t, string tenantId, string sessionId, AppendPlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        AppendTarget? session = null;
        using (var command = c.Command(LockSession, t).Bind("tenant", tenantId).Bind("id", sessionId))
        using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                session = new AppendTarget(reader.GetNullableString(0), reader.GetString(1), reader.GetString(2), reader.GetTime(3), reader.GetInt64(4), reader.GetInt64(5));
            }
        }

        var stored = new Dictionary<string, SessionEvent>(StringComparer.Ordinal);
        foreach (var key in session is null ? [] : plan.Keys)
        {
            if (await FindByKeyAsync(c, t, sessionId, key, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                stored[key] = existing;
            }
        }

        var decision = plan.Decide(session, stored, now);
        if (decision.Replay)
        {
            return decision.Outcome(0, 0);
        }

        var userId = session!.UserId;
        var iface = session.Interface;
        foreach (var (e, seq, entities) in decision.Rows)
        {
            using (var insert = c.Command(InsertEvent, t)
                .Bind("tenant", tenantId).Bind("session", sessionId).Bind("seq", seq).Bind("id", e.Id).Bind("user", userId)
                .Bind("type", e.Type).Bind("role", e.Role).Bind("name", e.Name).Bind("content", e.Content).Bind("tokens", e.Tokens)
                .BindJson("entities", entities).Bind("interface", iface).Bind("created_at", e.CreatedAt).BindJson("metadata", e.MetadataJson).Bind("key", e.IdempotencyKey))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var mention in e.Mentions)
            {
                await CountMentionAsync(c, t, tenantId, sessionId, userId, iface, mention, seq, e.CreatedAt, cancellationToken).ConfigureAwait(false);
            }
        }

        var counts = decision.Counts;
        using var update = c.Command(UpdateSession, t)
            .Bind("tenant", tenantId).Bind("session", sessionId).Bind("seq", decision.LastSeq).Bind("now", now)
            .Bind("expires_at", decision.ExpiresAt).Bind("messages", counts.Messages).Bind("input", counts.Input)
            .Bind("output", counts.Output).Bind("tool_calls", counts.ToolCalls).Bind("errors", counts.Errors);
        using var updated = await update.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await updated.ReadAsync(cancellationToken).ConfigureAwait(false);
        return decision.Outcome(updated.GetInt64(0), updated.GetInt32(1));
    }

    /// <summary>Counts one mention of an entity for the session and, for a known user, the user.</summary>
    internal static async Task CountMentionAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, string sessionId, string? userId, string iface,
        Context.EntityMention mention, long seq, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using (var count = c.Command(CountSessionEntity, t).Bind("tenant", tenantId).Bind("session", sessionId).Bind("key", mention.Key)
            .Bind("name", mention.Name).Bind("kind", mention.Kind).Bind("seq", seq))
        {
            await count.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (userId is null)
        {
            return;
        }

        using (var user = c.Command(CountUserEntity, t).Bind("tenant", tenantId).Bind("user", userId).Bind("key", mention.Key)
            .Bind("name", mention.Name).Bind("kind", mention.Kind).Bind("at", at))
        {
            await user.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using var note = c.Command(NoteUserEntitySession, t).Bind("tenant", tenantId).Bind("user", userId).Bind("key", mention.Key)
            .Bind("session", sessionId).Bind("interface", iface);
        await note.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<SessionEvent?> FindByKeyAsync(NpgsqlConnection c, NpgsqlTransaction t, string sessionId, string key, CancellationToken cancellationToken)
    {
        using var command = c.Command(SelectByKey, t).Bind("session", sessionId).Bind("key", key);
        return (await command.ReadAllAsync(PostgresCommands.ReadEvent, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionEvent>> ListAsync(string tenantId, string sessionId, long afterSeq, int limit, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<SessionEvent>>(async c =>
        {
            // Both queries in one round trip. The summaries are read first: an event without a summary made between the two
            // statements reads as it did a moment before, never with a summary of events it does not hold.
            var batch = new NpgsqlBatch(c);
            await using (batch.ConfigureAwait(false))
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {SummaryCover.Columns} FROM summaries WHERE session_id = $1 AND level = 0 AND to_seq > $2 ORDER BY from_seq")
                {
                    Parameters = { new() { Value = sessionId }, new() { Value = afterSeq } },
                });
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {PostgresCommands.EventColumns} FROM events WHERE session_id = $1 AND tenant_id = $2 AND seq > $3 ORDER BY seq LIMIT $4")
                {
                    Parameters = { new() { Value = sessionId }, new() { Value = tenantId }, new() { Value = afterSeq }, new() { Value = (long)limit } },
                });
                var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var cover = new SummaryCover();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        cover.Add(reader);
                    }

                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                    var items = new List<SessionEvent>(Math.Min(limit, 1024));
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        items.Add(StoreRows.ReadEvent(reader, cover.For(reader.GetInt64(2))));
                    }

                    return items;
                }
            }
        }, cancellationToken);
}
