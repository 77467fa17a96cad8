using System.Data.Common;
using System.Text.Json;
using Continuum.Model;

namespace Continuum.Storage;

/// <summary>
/// Row readers shared by the stores: both store times as UTC ticks and JSON as text, and select sessions and
/// events with the same column lists, so one reader serves both.
/// </summary>
public static class StoreRows
{
    /// <summary>A time stored as UTC ticks.</summary>
    public static DateTimeOffset ReadTime(this DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero);
    }

    /// <summary>A text column that may be null.</summary>
    public static string? ReadNullableString(this DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    /// <summary>
    /// A session from the columns <c>id, user_id, agent_id, interface, interface_id, node_name, status, title, parent_id,
    /// created_at, last_active_at, expires_at, expires_in_seconds, token_limit, messages, input_tokens, output_tokens,
    /// tool_calls, errors, last_seq, state, preferences, metadata, summary, entities, topics, carried_over</c>.
    /// </summary>
    public static Session ReadSession(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new Session
        {
            Id = r.GetString(0),
            UserId = r.ReadNullableString(1),
            AgentId = r.ReadNullableString(2),
            Interface = r.GetString(3),
            InterfaceId = r.ReadNullableString(4),
            NodeName = r.ReadNullableString(5),
            Status = r.GetString(6),
            Title = r.ReadNullableString(7),
            ParentId = r.ReadNullableString(8),
            CreatedAt = r.ReadTime(9),
            LastActiveAt = r.ReadTime(10),
            ExpiresAt = r.ReadTime(11),
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
            Summary = r.ReadNullableString(23),
            Entities = ParseList(r.GetString(24)),
            Topics = ParseList(r.GetString(25)),
            CarriedOver = r.IsDBNull(26) ? null : JsonSerializer.Deserialize<CarriedOver>(r.GetString(26), JsonDefaults.Options),
        };
    }

    /// <summary>An event from the columns <c>id, session_id, seq, type, role, name, content, tokens, entities, interface, created_at, metadata, idempotency_key</c>.</summary>
    public static SessionEvent ReadEvent(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new SessionEvent
        {
            Id = r.GetString(0),
            SessionId = r.GetString(1),
            Seq = r.GetInt64(2),
            Type = r.GetString(3),
            Role = r.GetString(4),
            Name = r.ReadNullableString(5),
            Content = r.GetString(6),
            Tokens = r.GetInt32(7),
            Entities = ParseList(r.GetString(8)),
            Interface = r.GetString(9),
            CreatedAt = r.ReadTime(10),
            Metadata = r.IsDBNull(11) ? null : ParseElement(r.GetString(11)),
            IdempotencyKey = r.ReadNullableString(12),
        };
    }

    /// <summary>A JSON value stored as text.</summary>
    public static JsonElement ParseElement(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>A JSON array of strings stored as text.</summary>
    public static IReadOnlyList<string> ParseList(string json) =>
        json == "[]" ? [] : JsonSerializer.Deserialize<string[]>(json, JsonDefaults.Options) ?? [];
}

/// <summary>What a batch of new events adds to its session's counters.</summary>
/// <param name="Messages">Messages.</param>
/// <param name="Input">Tokens of everyone but the assistant.</param>
/// <param name="Output">Tokens of the assistant.</param>
/// <param name="ToolCalls">Tool calls.</param>
/// <param name="Errors">Errors.</param>
public readonly record struct EventCounts(long Messages, long Input, long Output, long ToolCalls, long Errors)
{
    /// <summary>The counts of <paramref name="events"/>.</summary>
    public static EventCounts Of(IEnumerable<EventRecord> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var counts = default(EventCounts);
        foreach (var e in events)
        {
            counts = counts.Add(e);
        }

        return counts;
    }

    /// <summary>These counts with one more event.</summary>
    public EventCounts Add(EventRecord e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var assistant = e.Role == EventRole.Assistant;
        return new EventCounts(
            Messages + (e.Type == EventType.Message ? 1 : 0),
            Input + (assistant ? 0 : e.Tokens),
            Output + (assistant ? e.Tokens : 0),
            ToolCalls + (e.Type == EventType.ToolCall ? 1 : 0),
            Errors + (e.Type == EventType.Error ? 1 : 0));
    }
}
