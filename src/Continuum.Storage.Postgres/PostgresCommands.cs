using System.Text.Json;
using Continuum.Model;
using Npgsql;
using NpgsqlTypes;

namespace Continuum.Storage.Postgres;

/// <summary>Commands, parameters and row readers shared by the PostgreSQL stores.</summary>
internal static class PostgresCommands
{
    public const string SessionColumns = """
        id, user_id, agent_id, interface, interface_id, node_name, status, title, parent_id,
        created_at, last_active_at, expires_at, expires_in_seconds, token_limit,
        messages, input_tokens, output_tokens, tool_calls, errors, last_seq,
        state::text, preferences::text, metadata::text, summary, entities::text, topics::text, carried_over::text
        """;

    public const string EventColumns = "id, session_id, seq, type, role, name, content, tokens, entities::text, interface, created_at, metadata::text, idempotency_key";

    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null) => new(sql, connection, transaction);

    public static NpgsqlCommand Bind(this NpgsqlCommand command, string name, object? value)
    {
        command.Parameters.Add(value switch
        {
            null => new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = DBNull.Value },
            DateTimeOffset time => new NpgsqlParameter<long>(name, time.UtcTicks),
            _ => new NpgsqlParameter(name, value),
        });
        return command;
    }

    public static NpgsqlCommand BindNullable<T>(this NpgsqlCommand command, string name, T? value)
        where T : struct
    {
        command.Parameters.Add(value is { } v ? new NpgsqlParameter<T>(name, v) : new NpgsqlParameter(name, typeof(T) == typeof(long) ? NpgsqlDbType.Bigint : NpgsqlDbType.Integer) { Value = DBNull.Value });
        return command;
    }

    public static NpgsqlCommand BindJson(this NpgsqlCommand command, string name, string? json)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Json) { Value = (object?)json ?? DBNull.Value });
        return command;
    }

    public static DateTimeOffset GetTime(this NpgsqlDataReader reader, int ordinal) => new(reader.GetInt64(ordinal), TimeSpan.Zero);

    public static string? GetNullableString(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static Session ReadSession(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        UserId = r.GetNullableString(1),
        AgentId = r.GetNullableString(2),
        Interface = r.GetString(3),
        InterfaceId = r.GetNullableString(4),
        NodeName = r.GetNullableString(5),
        Status = r.GetString(6),
        Title = r.GetNullableString(7),
        ParentId = r.GetNullableString(8),
        CreatedAt = r.GetTime(9),
        LastActiveAt = r.GetTime(10),
        ExpiresAt = r.GetTime(11),
        ExpiresInSeconds = r.GetInt64(12),
        TokenLimit = r.GetInt32(13),
        Counters = new SessionCounters
        {
            Messages = r.GetInt64(14),
            InputTokens = r.GetInt64(15),
            OutputTokens = r.GetInt64(16),
            ToolCalls = r.GetInt64(17),
            Errors = r.GetInt64(18),
        },
        LastSeq = r.GetInt64(19),
        State = ParseElement(r.GetString(20)),
        Preferences = ParseElement(r.GetString(21)),
        Metadata = ParseElement(r.GetString(22)),
        Summary = r.GetNullableString(23),
        Entities = ParseList(r.GetString(24)),
        Topics = ParseList(r.GetString(25)),
        CarriedOver = r.IsDBNull(26) ? null : JsonSerializer.Deserialize<CarriedOver>(r.GetString(26), JsonDefaults.Options),
    };

    public static SessionEvent ReadEvent(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        SessionId = r.GetString(1),
        Seq = r.GetInt64(2),
        Type = r.GetString(3),
        Role = r.GetString(4),
        Name = r.GetNullableString(5),
        Content = r.GetString(6),
        Tokens = r.GetInt32(7),
        Entities = ParseList(r.GetString(8)),
        Interface = r.GetString(9),
        CreatedAt = r.GetTime(10),
        Metadata = r.IsDBNull(11) ? null : ParseElement(r.GetString(11)),
        IdempotencyKey = r.GetNullableString(12),
    };

    /// <summary>Binds every session column as <c>@name</c>.</summary>
    public static NpgsqlCommand BindSession(this NpgsqlCommand command, string tenantId, Session s) => command
        .Bind("tenant", tenantId)
        .Bind("id", s.Id)
        .Bind("user_id", s.UserId)
        .Bind("agent_id", s.AgentId)
        .Bind("interface", s.Interface)
        .Bind("interface_id", s.InterfaceId)
        .Bind("node_name", s.NodeName)
        .Bind("status", s.Status)
        .Bind("title", s.Title)
        .Bind("parent_id", s.ParentId)
        .Bind("created_at", s.CreatedAt)
        .Bind("last_active_at", s.LastActiveAt)
        .Bind("expires_at", s.ExpiresAt)
        .Bind("expires_in_seconds", s.ExpiresInSeconds)
        .Bind("token_limit", s.TokenLimit)
        .Bind("messages", s.Counters.Messages)
        .Bind("input_tokens", s.Counters.InputTokens)
        .Bind("output_tokens", s.Counters.OutputTokens)
        .Bind("tool_calls", s.Counters.ToolCalls)
        .Bind("errors", s.Counters.Errors)
        .Bind("last_seq", s.LastSeq)
        .BindJson("state", s.State.GetRawText())
        .BindJson("preferences", s.Preferences.GetRawText())
        .BindJson("metadata", s.Metadata.GetRawText())
        .Bind("summary", s.Summary)
        .BindJson("entities", JsonSerializer.Serialize(s.Entities, JsonDefaults.Options))
        .BindJson("topics", JsonSerializer.Serialize(s.Topics, JsonDefaults.Options))
        .BindJson("carried_over", s.CarriedOver is null ? null : JsonSerializer.Serialize(s.CarriedOver, JsonDefaults.Options));

    public static JsonElement ParseElement(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static IReadOnlyList<string> ParseList(string json) =>
        json == "[]" ? [] : JsonSerializer.Deserialize<string[]>(json, JsonDefaults.Options) ?? [];

    public static async Task<List<T>> ReadAllAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(read(reader));
        }

        return items;
    }
}
