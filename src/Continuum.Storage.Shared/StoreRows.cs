using System.Data.Common;
using System.Text.Json;
using Continuum.Context;
using Continuum.Json;
using Continuum.Sessions;

namespace Continuum.Storage;

/// <summary>
/// Row readers shared by the stores: both store times as UTC ticks and JSON as text, and select sessions, events
/// and summaries with the same column lists, so one reader serves both. This source is compiled into each store
/// (it is no part of Core's surface).
/// </summary>
internal static class StoreRows
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
    public static SessionEvent ReadEvent(DbDataReader r) => ReadEvent(r, null);

    /// <summary>An event from the same columns as <see cref="ReadEvent(DbDataReader)"/>, covered by the summary <paramref name="summaryId"/>.</summary>
    public static SessionEvent ReadEvent(DbDataReader r, string? summaryId)
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
            SummaryId = summaryId,
        };
    }

    /// <summary>A summary from the columns <c>id, session_id, level, from_seq, to_seq, content, tokens, summarizer, created_at, covered_by</c>.</summary>
    public static Summary ReadSummary(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new Summary
        {
            Id = r.GetString(0),
            SessionId = r.GetString(1),
            Level = r.GetInt32(2),
            FromSeq = r.GetInt64(3),
            ToSeq = r.GetInt64(4),
            Content = r.GetString(5),
            Tokens = r.GetInt32(6),
            Summarizer = r.GetString(7),
            CreatedAt = r.ReadTime(8),
            CoveredBy = r.ReadNullableString(9),
        };
    }

    /// <summary>A JSON value stored as text.</summary>
    public static JsonElement ParseElement(string json) => StoredJson.ParseElement(json);

    /// <summary>A JSON array of strings stored as text.</summary>
    public static IReadOnlyList<string> ParseList(string json) => StoredJson.ParseList(json);
}
