using System.Threading.Channels;
using Continuum.Errors;
using Continuum.Sessions;
using Npgsql;
using NpgsqlTypes;

namespace Continuum.Storage.Postgres;

/// <summary>
/// Group commit for appends. Appends that queue up while a group is being written go into
/// the next group together: each append is one statement (bump the session row and check it is open, insert the
/// events, count their entities), all of a group's statements go to the server in one round trip, and one commit
/// makes them durable. Within a group the sessions are locked in one order, so groups do not wait on each other's
/// sessions in a cycle; entity counts shared by several sessions can still deadlock two transactions (on other
/// nodes, or with several writers), and PostgreSQL then rolls one back, which is run again whole. An append whose
/// session is not open, whose key is stored, or every append of a group that failed on a non-transient error, is
/// handed back to be run alone, so its request gets its own answer.
/// </summary>
internal sealed class PostgresAppendGroups : IAsyncDisposable
{
    private const string Bump = """
        s AS (
            UPDATE sessions SET last_seq = last_seq + $3, status = 'active', last_active_at = $4, expires_at = $4 + expires_in_seconds * 10000000,
                messages = messages + $5, input_tokens = input_tokens + $6, output_tokens = output_tokens + $7,
                tool_calls = tool_calls + $8, errors = errors + $9, unsummarized_tokens = unsummarized_tokens + $6 + $7
            WHERE tenant_id = $1 AND id = $2 AND status NOT IN ('closed', 'expired') AND expires_at > $4{key check}
            RETURNING last_seq, user_id, interface, unsummarized_tokens, token_limit),
        """;

    // Most appends carry one event: its columns go as plain parameters, which is cheaper than unpacking arrays.
    private const string InsertOne = """
        e AS (
            INSERT INTO events (tenant_id, session_id, seq, id, user_id, type, role, name, content, tokens, entities, interface, created_at, metadata{key column})
            SELECT $1, $2, s.last_seq, $10, s.user_id, $11, $12, $13, $14, $15, $16, s.interface, $17, $18{key value} FROM s)
        """;

    private const string InsertMany = """
        e AS (
            INSERT INTO events (tenant_id, session_id, seq, id, user_id, type, role, name, content, tokens, entities, interface, created_at, metadata{key column})
            SELECT $1, $2, s.last_seq - $3 + x.ord, x.id, s.user_id, x.type, x.role, x.name, x.content, x.tokens, x.entities, s.interface, x.created_at, x.metadata{key value}
            FROM s, unnest($10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::integer[], $16::json[], $17::bigint[], $18::json[]{key array})
                WITH ORDINALITY AS x(id, type, role, name, content, tokens, entities, created_at, metadata{key alias}, ord))
        """;

    // Mentions arrive counted by entity key (one row a key), since one statement may not upsert a row twice.
    private const string Count = """
        se AS (
            INSERT INTO session_entities (tenant_id, session_id, key, name, kind, mentions, last_seq)
            SELECT $1, $2, m.key, m.name, m.kind, m.n, s.last_seq - $3 + m.last_ord
            FROM s, unnest($20::text[], $21::text[], $22::text[], $23::bigint[], $24::bigint[]) AS m(key, name, kind, n, last_ord)
            ON CONFLICT (session_id, key) DO UPDATE SET mentions = session_entities.mentions + excluded.mentions, last_seq = excluded.last_seq),
        ue AS (
            INSERT INTO user_entities (tenant_id, user_id, key, name, kind, first_seen, last_seen, mentions)
            SELECT $1, s.user_id, m.key, m.name, m.kind, m.first_at, m.last_at, m.n
            FROM s, unnest($20::text[], $21::text[], $22::text[], $23::bigint[], $25::bigint[], $26::bigint[]) AS m(key, name, kind, n, first_at, last_at)
            WHERE s.user_id IS NOT NULL
            ON CONFLICT (tenant_id, user_id, key) DO UPDATE SET mentions = user_entities.mentions + excluded.mentions,
                first_seen = least(user_entities.first_seen, excluded.first_seen), last_seen = greatest(user_entities.last_seen, excluded.last_seen)),
        ues AS (
            INSERT INTO user_entity_sessions (tenant_id, user_id, key, session_id, interface)
            SELECT $1, s.user_id, m.key, $2, s.interface FROM s, unnest($20::text[]) AS m(key) WHERE s.user_id IS NOT NULL
            ON CONFLICT DO NOTHING)
        """;

    private const string Result = "SELECT last_seq, interface, unsummarized_tokens, token_limit FROM s";

    // By [one event or many] [mentions or none] [idempotency keys or none]: $19 holds the key (or keys).
    private static readonly string[] Statements =
    [
        Compose(many: false, mentions: false, keyed: false),
        Compose(many: false, mentions: false, keyed: true),
        Compose(many: false, mentions: true, keyed: false),
        Compose(many: false, mentions: true, keyed: true),
        Compose(many: true, mentions: false, keyed: false),
        Compose(many: true, mentions: false, keyed: true),
        Compose(many: true, mentions: true, keyed: false),
        Compose(many: true, mentions: true, keyed: true),
    ];

    // An append with idempotency keys goes in only when none of its keys is stored yet; one whose key is (a retry)
    // matches no session row and is handed back, and the append run alone answers with the stored original.
    private static string Compose(bool many, bool mentions, bool keyed)
    {
        var bump = Bump.Replace("{key check}", !keyed ? ""
            : many ? "\n                AND NOT EXISTS (SELECT 1 FROM events WHERE session_id = $2 AND idempotency_key = ANY($19))"
            : "\n                AND NOT EXISTS (SELECT 1 FROM events WHERE session_id = $2 AND idempotency_key = $19)", StringComparison.Ordinal);
        var insert = (many ? InsertMany : InsertOne)
            .Replace("{key column}", keyed ? ", idempotency_key" : "", StringComparison.Ordinal)
            .Replace("{key value}", !keyed ? "" : many ? ", x.key" : ", $19", StringComparison.Ordinal)
            .Replace("{key array}", keyed ? ", $19::text[]" : "", StringComparison.Ordinal)
            .Replace("{key alias}", keyed ? ", key" : "", StringComparison.Ordinal);
        return mentions ? $"WITH {bump}\n{insert},\n{Count}\n{Result}" : $"WITH {bump}\n{insert}\n{Result}";
    }

    private readonly PostgresDatabase _database;
    private readonly int _maxGroup;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly Task[] _writers;
    private long _arrivals;
    private long _groups;
    private long _grouped;
    private long _handedBack;

    /// <summary>Writes with <paramref name="writers"/> groups at once, each of at most <paramref name="maxGroup"/> appends.</summary>
    public PostgresAppendGroups(PostgresDatabase database, int writers, int maxGroup = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(writers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroup, 1);
        _database = database;
        _maxGroup = maxGroup;
        _writers = [.. Enumerable.Range(0, writers).Select(_ => Task.Run(WriteAsync))];
    }

    /// <summary>
    /// Appends the plan's events in the next group; null when they were not appended and must be run alone
    /// (the session is missing, closed or expired, or the group failed on an error of one of its appends).
    /// </summary>
    public async Task<AppendOutcome?> AppendAsync(string tenantId, AppendPlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // The statement is built here, on the request's thread, so the writers only send and read.
        var pending = new Pending(Interlocked.Increment(ref _arrivals), tenantId, plan, now, cancellationToken);
        pending.Command = Statement(pending);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new TransientStoreException("The store is shutting down.");
        }

        if (await pending.Task.ConfigureAwait(false) is { } bumped)
        {
            Interlocked.Increment(ref _grouped);
            return plan.Appended(bumped.LastSeq, bumped.Interface, bumped.Unsummarized, bumped.TokenLimit);
        }

        Interlocked.Increment(ref _handedBack);
        return null;
    }

    /// <summary>Groups committed, appends committed in them, and appends handed back to run alone, so far.</summary>
    public AppendGroupStats Stats => new(Interlocked.Read(ref _groups), Interlocked.Read(ref _grouped), Interlocked.Read(ref _handedBack));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers).ConfigureAwait(false);
    }

    private async Task WriteAsync()
    {
        var group = new List<Pending>(_maxGroup);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (group.Count < _maxGroup && _queue.Reader.TryRead(out var next))
            {
                if (next.CancellationToken.IsCancellationRequested)
                {
                    next.Cancel();
                }
                else
                {
                    group.Add(next);
                }
            }

            if (group.Count > 0)
            {
                await WriteGroupAsync(group).ConfigureAwait(false);
                group.Clear();
            }
        }
    }

    private async Task WriteGroupAsync(List<Pending> group)
    {
        // One lock order for every group: by session, then by arrival (a session's appends keep their order).
        group.Sort(static (a, b) => string.CompareOrdinal(a.TenantId, b.TenantId) is var t && t != 0 ? t
            : string.CompareOrdinal(a.SessionId, b.SessionId) is var s && s != 0 ? s
            : a.Arrival.CompareTo(b.Arrival));
        try
        {
            var attempt = 0;
            var outcomes = await _database.WriteAsync((c, t) => ExecuteAsync(c, t, group, ++attempt > 1), CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _groups);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Complete(outcomes[i]);
            }
        }
        catch (Exception ex) when (ex is not TransientStoreException)
        {
            // The group was rolled back whole by one append's error: each runs again alone and gets its own answer.
            foreach (var pending in group)
            {
                pending.Complete(null);
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in group)
            {
                pending.Fail(ex);
            }
        }
    }

    private static async Task<Bumped?[]> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Pending> group, bool retry)
    {
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            foreach (var pending in group)
            {
                // A retry runs on a new connection: its statements are built anew rather than reused.
                batch.BatchCommands.Add(retry || pending.Command is null ? Statement(pending) : pending.Command);
            }

            var outcomes = new Bumped?[group.Count];
            var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                for (var i = 0; i < group.Count; i++)
                {
                    if (i > 0)
                    {
                        await reader.NextResultAsync().ConfigureAwait(false);
                    }

                    if (await reader.ReadAsync().ConfigureAwait(false))
                    {
                        outcomes[i] = new Bumped(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3));
                    }
                }
            }

            return outcomes;
        }
    }

    private static NpgsqlBatchCommand Statement(Pending p)
    {
        var events = p.Events;
        var counts = p.Plan.Counts;
        var command = new NpgsqlBatchCommand();
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.TenantId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.SessionId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = events.Count });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.Now.UtcTicks });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = counts.Messages });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = counts.Input });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = counts.Output });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = counts.ToolCalls });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = counts.Errors });
        if (events.Count == 1)
        {
            var e = events[0];
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Id });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Type });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Role });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)e.Name ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Content });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = e.Tokens });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Json, Value = AppendPlan.EntitiesJson(e) });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = e.CreatedAt.UtcTicks });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Json, Value = (object?)e.MetadataJson ?? DBNull.Value });
        }
        else
        {
            command.Parameters.Add(Texts([.. events.Select(e => e.Id)]));
            command.Parameters.Add(Texts([.. events.Select(e => e.Type)]));
            command.Parameters.Add(Texts([.. events.Select(e => e.Role)]));
            command.Parameters.Add(Texts([.. events.Select(e => e.Name)]));
            command.Parameters.Add(Texts([.. events.Select(e => e.Content)]));
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. events.Select(e => e.Tokens)] });
            command.Parameters.Add(Jsons([.. events.Select(AppendPlan.EntitiesJson)]));
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. events.Select(e => e.CreatedAt.UtcTicks)] });
            command.Parameters.Add(Jsons([.. events.Select(e => e.MetadataJson)]));
        }

        var keyed = events.Any(e => e.IdempotencyKey is not null);
        command.Parameters.Add(events.Count == 1
            ? new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)events[0].IdempotencyKey ?? DBNull.Value }
            : Texts([.. events.Select(e => e.IdempotencyKey)]));

        var mentions = MentionCounts.Of(events);
        command.CommandText = Statements[(events.Count == 1 ? 0 : 4) + (mentions is null ? 0 : 2) + (keyed ? 1 : 0)];
        if (mentions is not null)
        {
            command.Parameters.Add(Texts(mentions.Keys));
            command.Parameters.Add(Texts(mentions.Names));
            command.Parameters.Add(Texts(mentions.Kinds));
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = mentions.Counts });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = mentions.LastOrdinals });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = mentions.FirstAt });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = mentions.LastAt });
        }

        return command;
    }

    private static NpgsqlParameter Texts(string?[] values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = values };

    private static NpgsqlParameter Jsons(string?[] values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Json, Value = values };

    /// <summary>An append's entity mentions counted by key, in the order each key first appears.</summary>
    private sealed class MentionCounts
    {
        public required string[] Keys { get; init; }

        public required string[] Names { get; init; }

        public required string[] Kinds { get; init; }

        public required long[] Counts { get; init; }

        public required long[] LastOrdinals { get; init; }

        public required long[] FirstAt { get; init; }

        public required long[] LastAt { get; init; }

        public static MentionCounts? Of(IReadOnlyList<EventRecord> events)
        {
            if (events.All(e => e.Mentions.Count == 0))
            {
                return null;
            }

            var order = new List<string>();
            var byKey = new Dictionary<string, (EntityMentionTally Tally, int Index)>();
            for (var i = 0; i < events.Count; i++)
            {
                var at = events[i].CreatedAt.UtcTicks;
                foreach (var m in events[i].Mentions)
                {
                    var key = m.Key;
                    if (byKey.TryGetValue(key, out var seen))
                    {
                        byKey[key] = (seen.Tally with { Count = seen.Tally.Count + 1, LastOrdinal = i + 1, FirstAt = Math.Min(seen.Tally.FirstAt, at), LastAt = Math.Max(seen.Tally.LastAt, at) }, seen.Index);
                    }
                    else
                    {
                        byKey[key] = (new EntityMentionTally(m.Name, m.Kind, 1, i + 1, at, at), order.Count);
                        order.Add(key);
                    }
                }
            }

            var tallies = order.Select(k => byKey[k].Tally).ToArray();
            return new MentionCounts
            {
                Keys = [.. order],
                Names = [.. tallies.Select(t => t.Name)],
                Kinds = [.. tallies.Select(t => t.Kind)],
                Counts = [.. tallies.Select(t => t.Count)],
                LastOrdinals = [.. tallies.Select(t => t.LastOrdinal)],
                FirstAt = [.. tallies.Select(t => t.FirstAt)],
                LastAt = [.. tallies.Select(t => t.LastAt)],
            };
        }
    }

    private readonly record struct EntityMentionTally(string Name, string Kind, long Count, long LastOrdinal, long FirstAt, long LastAt);

    /// <summary>The session row after an append's statement bumped it.</summary>
    internal sealed record Bumped(long LastSeq, string Interface, long Unsummarized, int TokenLimit);

    internal sealed class Pending(long arrival, string tenantId, AppendPlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource<Bumped?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Arrival { get; } = arrival;

        public string TenantId { get; } = tenantId;

        public AppendPlan Plan { get; } = plan;

        public string SessionId => Plan.SessionId;

        public IReadOnlyList<EventRecord> Events => Plan.Events;

        public DateTimeOffset Now { get; } = now;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public NpgsqlBatchCommand? Command { get; set; }

        public Task<Bumped?> Task => _completion.Task;

        public void Complete(Bumped? bumped) => _completion.TrySetResult(bumped);

        public void Fail(Exception exception) => _completion.TrySetException(exception);

        public void Cancel() => _completion.TrySetCanceled(CancellationToken);
    }
}
