using Continuum.Sessions;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>
/// Session event logs in SQLite. Appends run on the single writer, so seq numbers are assigned in one place and
/// stay contiguous; the session row holds the last seq and the counters, updated in the same transaction.
/// </summary>
public sealed class SqliteEventStore(SqliteDatabase database) : IEventStore
{
    private const string SelectSession = "SELECT user_id, interface, status, expires_at, expires_in_seconds, last_seq FROM sessions WHERE tenant_id = $tenant AND id = $id";

    private const string SelectByKey = $"SELECT {SqliteRows.EventColumns} FROM events WHERE session_id = $session AND idempotency_key = $key";

    private const string InsertEvent = """
        INSERT INTO events (tenant_id, session_id, seq, id, user_id, type, role, name, content, tokens, entities, interface, created_at, metadata, idempotency_key)
        VALUES ($tenant, $session, $seq, $id, $user, $type, $role, $name, $content, $tokens, $entities, $interface, $created_at, $metadata, $key)
        """;

    private const string UpdateSession = """
        UPDATE sessions SET last_seq = $seq, status = 'active', last_active_at = $now, expires_at = $expires_at,
            messages = messages + $messages, input_tokens = input_tokens + $input, output_tokens = output_tokens + $output,
            tool_calls = tool_calls + $tool_calls, errors = errors + $errors, unsummarized_tokens = unsummarized_tokens + $input + $output
        WHERE tenant_id = $tenant AND id = $session
        RETURNING unsummarized_tokens, token_limit
        """;

    internal const string CountSessionEntity = """
        INSERT INTO session_entities (tenant_id, session_id, key, name, kind, mentions, last_seq)
        VALUES ($tenant, $session, $key, $name, $kind, 1, $seq)
        ON CONFLICT (session_id, key) DO UPDATE SET mentions = mentions + 1, last_seq = excluded.last_seq
        """;

    internal const string CountUserEntity = """
        INSERT INTO user_entities (tenant_id, user_id, key, name, kind, first_seen, last_seen, mentions)
        VALUES ($tenant, $user, $key, $name, $kind, $at, $at, 1)
        ON CONFLICT (tenant_id, user_id, key) DO UPDATE SET mentions = mentions + 1,
            first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)
        """;

    internal const string NoteUserEntitySession = """
        INSERT OR IGNORE INTO user_entity_sessions (tenant_id, user_id, key, session_id, interface)
        VALUES ($tenant, $user, $key, $session, $interface)
        """;

    /// <inheritdoc />
    public Task<AppendOutcome> AppendAsync(string tenantId, string sessionId, IReadOnlyList<EventRecord> events, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var plan = AppendPlan.For(sessionId, events);
        return database.WriteAsync(w => Append(w, tenantId, sessionId, plan, now), cancellationToken);
    }

    // The session and the keys are read, the plan decides, and the decision is written: all on the one writer.
    private static AppendOutcome Append(SqliteWriteContext w, string tenantId, string sessionId, AppendPlan plan, DateTimeOffset now)
    {
        AppendTarget? session = null;
        using (var reader = w.Command(SelectSession).Bind("$tenant", tenantId).Bind("$id", sessionId).ExecuteReader())
        {
            if (reader.Read())
            {
                session = new AppendTarget(reader.GetNullableString(0), reader.GetString(1), reader.GetString(2), reader.GetTime(3), reader.GetInt64(4), reader.GetInt64(5));
            }
        }

        var decision = plan.Decide(session, StoredByKey(w, sessionId, plan.Keys), now);
        if (decision.Replay)
        {
            return decision.Outcome(0, 0);
        }

        var userId = session!.UserId;
        var iface = session.Interface;
        foreach (var (e, seq, entities) in decision.Rows)
        {
            w.Command(InsertEvent)
                .Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$seq", seq).Bind("$id", e.Id).Bind("$user", userId)
                .Bind("$type", e.Type).Bind("$role", e.Role).Bind("$name", e.Name).Bind("$content", e.Content).Bind("$tokens", e.Tokens)
                .Bind("$entities", entities).Bind("$interface", iface).Bind("$created_at", e.CreatedAt).Bind("$metadata", e.MetadataJson).Bind("$key", e.IdempotencyKey)
                .ExecuteNonQuery();
            foreach (var mention in e.Mentions)
            {
                w.Command(CountSessionEntity).Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$key", mention.Key)
                    .Bind("$name", mention.Name).Bind("$kind", mention.Kind).Bind("$seq", seq).ExecuteNonQuery();
                if (userId is not null)
                {
                    w.Command(CountUserEntity).Bind("$tenant", tenantId).Bind("$user", userId).Bind("$key", mention.Key)
                        .Bind("$name", mention.Name).Bind("$kind", mention.Kind).Bind("$at", e.CreatedAt).ExecuteNonQuery();
                    w.Command(NoteUserEntitySession).Bind("$tenant", tenantId).Bind("$user", userId).Bind("$key", mention.Key)
                        .Bind("$session", sessionId).Bind("$interface", iface).ExecuteNonQuery();
                }
            }
        }

        var counts = decision.Counts;
        using var updated = w.Command(UpdateSession)
            .Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$seq", decision.LastSeq).Bind("$now", now)
            .Bind("$expires_at", decision.ExpiresAt).Bind("$messages", counts.Messages).Bind("$input", counts.Input)
            .Bind("$output", counts.Output).Bind("$tool_calls", counts.ToolCalls).Bind("$errors", counts.Errors)
            .ExecuteReader();
        updated.Read();
        return decision.Outcome(updated.GetInt64(0), updated.GetInt32(1));
    }

    private static IReadOnlyDictionary<string, SessionEvent> StoredByKey(SqliteWriteContext w, string sessionId, IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
        {
            return NoneStored;
        }

        var stored = new Dictionary<string, SessionEvent>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            using var reader = w.Command(SelectByKey).Bind("$session", sessionId).Bind("$key", key).ExecuteReader();
            if (reader.Read())
            {
                stored[key] = SqliteRows.ReadEvent(reader);
            }
        }

        return stored;
    }

    private static readonly IReadOnlyDictionary<string, SessionEvent> NoneStored = new Dictionary<string, SessionEvent>();

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionEvent>> ListAsync(string tenantId, string sessionId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One snapshot for the summaries and the events, so an event's summary is the one stored with it.
            using var transaction = connection.BeginTransaction(deferred: true);
            var cover = new SummaryCover();
            using (var summaries = connection.CreateCommand())
            {
                summaries.Transaction = transaction;
                summaries.CommandText = $"SELECT {SummaryCover.Columns} FROM summaries WHERE session_id = $session AND level = 0 AND to_seq > $after ORDER BY from_seq";
                summaries.Bind("$session", sessionId).Bind("$after", afterSeq);
                using var ranges = await summaries.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await ranges.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    cover.Add(ranges);
                }
            }

            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT {SqliteRows.EventColumns} FROM events WHERE session_id = $session AND tenant_id = $tenant AND seq > $after ORDER BY seq LIMIT $limit";
            command.Bind("$tenant", tenantId).Bind("$session", sessionId).Bind("$after", afterSeq).Bind("$limit", limit);
            var items = new List<SessionEvent>(Math.Min(limit, 1024));
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(StoreRows.ReadEvent(reader, cover.For(reader.GetInt64(2))));
            }

            return items;
        }
    }
}
