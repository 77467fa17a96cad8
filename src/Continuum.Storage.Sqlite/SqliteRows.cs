using System.Text.Json;
using Continuum.Context;
using Continuum.Json;
using Continuum.Sessions;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>The column lists and row readers shared by the SQLite stores.</summary>
internal static class SqliteRows
{
    public const string SessionColumns = """
        id, user_id, agent_id, interface, interface_id, node_name, status, title, parent_id,
        created_at, last_active_at, expires_at, expires_in_seconds, token_limit,
        messages, input_tokens, output_tokens, tool_calls, errors, last_seq,
        state, preferences, metadata, summary, entities, topics, carried_over
        """;

    public const string EventColumns = "id, session_id, seq, type, role, name, content, tokens, entities, interface, created_at, metadata, idempotency_key";

    public static Session ReadSession(SqliteDataReader r) => StoreRows.ReadSession(r);

    public static SessionEvent ReadEvent(SqliteDataReader r) => StoreRows.ReadEvent(r);

    /// <summary>Binds every session column as <c>$name</c>.</summary>
    public static SqliteCommand BindSession(this SqliteCommand command, string tenantId, Session s) => command
        .Bind("$tenant", tenantId)
        .Bind("$id", s.Id)
        .Bind("$user_id", s.UserId)
        .Bind("$agent_id", s.AgentId)
        .Bind("$interface", s.Interface)
        .Bind("$interface_id", s.InterfaceId)
        .Bind("$node_name", s.NodeName)
        .Bind("$status", s.Status)
        .Bind("$title", s.Title)
        .Bind("$parent_id", s.ParentId)
        .Bind("$created_at", s.CreatedAt)
        .Bind("$last_active_at", s.LastActiveAt)
        .Bind("$expires_at", s.ExpiresAt)
        .Bind("$expires_in_seconds", s.ExpiresInSeconds)
        .Bind("$token_limit", s.TokenLimit)
        .Bind("$messages", s.Counters.Messages)
        .Bind("$input_tokens", s.Counters.InputTokens)
        .Bind("$output_tokens", s.Counters.OutputTokens)
        .Bind("$tool_calls", s.Counters.ToolCalls)
        .Bind("$errors", s.Counters.Errors)
        .Bind("$last_seq", s.LastSeq)
        .Bind("$state", s.State.GetRawText())
        .Bind("$preferences", s.Preferences.GetRawText())
        .Bind("$metadata", s.Metadata.GetRawText())
        .Bind("$summary", s.Summary)
        .Bind("$entities", JsonSerializer.Serialize(s.Entities, JsonDefaults.Options))
        .Bind("$topics", JsonSerializer.Serialize(s.Topics, JsonDefaults.Options))
        .Bind("$carried_over", s.CarriedOver is null ? null : JsonSerializer.Serialize(s.CarriedOver, JsonDefaults.Options));

    public static JsonElement ParseElement(string json) => StoreRows.ParseElement(json);

    public static IReadOnlyList<string> ParseList(string json) => StoreRows.ParseList(json);
}
