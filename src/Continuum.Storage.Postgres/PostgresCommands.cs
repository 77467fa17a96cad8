using System.Text.Json;
using Continuum.Context;
using Continuum.Json;
using Continuum.Sessions;
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

    public static Session ReadSession(NpgsqlDataReader r) => StoreRows.ReadSession(r);

    public static SessionEvent ReadEvent(NpgsqlDataReader r) => StoreRows.ReadEvent(r);

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

    public static JsonElement ParseElement(string json) => StoreRows.ParseElement(json);

    public static IReadOnlyList<string> ParseList(string json) => StoreRows.ParseList(json);

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
