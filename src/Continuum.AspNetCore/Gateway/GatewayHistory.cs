using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Continuum.Sessions;

namespace Continuum.AspNetCore.Gateway;

/// <summary>
/// A client's message history as events, each with an idempotency key drawn from the history up to it: the key of a
/// user or tool message hashes every user and tool message (role and content) and every role before it, so the same
/// history sent again (as OpenAI clients do on every call, and on retries) maps to the same keys and is stored once.
/// An assistant message is keyed by what it answers (the key before it and <c>:answer</c>), not by its text, so the
/// answer the gateway recorded and the client's copy of it are one event even when a client reformats it. System
/// messages are the client's instructions: forwarded, never recorded. An edited history forks at the first change.
/// </summary>
internal sealed class GatewayHistory
{
    public const string KeyPrefix = "gw1-";
    public const string AnswerSuffix = ":answer";

    private GatewayHistory(List<GatewayMessage> messages, string answerKey)
    {
        Messages = messages;
        AnswerKey = answerKey;
    }

    /// <summary>Every message of the request, in order (system messages included, with no event).</summary>
    public List<GatewayMessage> Messages { get; }

    /// <summary>The key the answer to this history is recorded under.</summary>
    public string AnswerKey { get; }

    /// <summary>The last user message's text (the query for memories), or null.</summary>
    public string? LastUserText => Messages.LastOrDefault(m => m.Role == EventRole.User)?.Text;

    /// <summary>The key of the last message that is recorded (not a system message), or null.</summary>
    public string? LastKey => Messages.FindLast(m => m.Key is not null)?.Key;

    /// <summary>The index of the last message keyed <paramref name="key"/>, or -1.</summary>
    public int IndexOf(string key) => Messages.FindLastIndex(m => m.Key == key);

    /// <summary>True when a message of the history is keyed <paramref name="key"/> (or the history's answer is).</summary>
    public bool Contains(string key) => AnswerKey == key || IndexOf(key) >= 0;

    /// <summary>The history of the messages before <paramref name="count"/>.</summary>
    public GatewayHistory Before(int count) => new(Messages.GetRange(0, count), "");

    public static GatewayHistory Read(JsonArray messages)
    {
        var list = new List<GatewayMessage>(messages.Count);
        Span<byte> chain = stackalloc byte[32];
        Span<byte> next = stackalloc byte[32];
        SHA256.HashData("continuum-gateway-v1"u8, chain);
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message)
            {
                throw new GatewayRequestException(400, $"messages[{i}] must be an object.", "invalid_type", $"messages[{i}]");
            }

            var role = message["role"] is JsonValue r && r.TryGetValue<string>(out var roleText) ? roleText : null;
            role = role switch
            {
                "system" or "developer" => EventRole.System,
                "user" => EventRole.User,
                "assistant" => EventRole.Assistant,
                "tool" or "function" => EventRole.Tool,
                null => throw new GatewayRequestException(400, $"messages[{i}].role is required.", "missing_required_parameter", $"messages[{i}].role"),
                _ => throw new GatewayRequestException(400, $"messages[{i}].role '{role}' is not one of system, developer, user, assistant, tool.", "invalid_value", $"messages[{i}].role"),
            };
            var content = message["content"];
            var text = Text(content, i);
            if (role == EventRole.System)
            {
                list.Add(new GatewayMessage(role, text, message, null, null));
                continue;
            }

            var toolCallId = message["tool_call_id"] is JsonValue t && t.TryGetValue<string>(out var id) ? id : null;
            var identity = role == EventRole.Assistant ? role : role + "\n" + (content?.ToJsonString() ?? "") + "\n" + toolCallId;
            var before = Key(chain, "");
            Hash(chain, identity, next);
            next.CopyTo(chain);
            var key = role == EventRole.Assistant ? before + AnswerSuffix : Key(chain, "");
            list.Add(new GatewayMessage(role, text, message, key, ToEvent(role, text, message, toolCallId, key)));
        }

        return new GatewayHistory(list, Key(chain, AnswerSuffix));
    }

    /// <summary>The event recording an upstream's answer: a message, or a tool call when it asked for tools.</summary>
    public static NewEvent AnswerEvent(string text, JsonArray? toolCalls, string key, JsonElement metadata) =>
        toolCalls is { Count: > 0 }
            ? new NewEvent
            {
                Type = EventType.ToolCall,
                Role = EventRole.Assistant,
                Name = FunctionName(toolCalls),
                Content = ToolCallsText(text, toolCalls),
                Metadata = metadata,
                IdempotencyKey = key,
            }
            : new NewEvent
            {
                Type = EventType.Message,
                Role = EventRole.Assistant,
                Content = text.Length == 0 ? "(empty answer)" : text,
                Metadata = metadata,
                IdempotencyKey = key,
            };

    private static NewEvent ToEvent(string role, string text, JsonObject message, string? toolCallId, string key)
    {
        var name = message["name"] is JsonValue n && n.TryGetValue<string>(out var nameText) && nameText.Length is > 0 and <= 256 ? nameText : null;
        if (role == EventRole.Assistant && message["tool_calls"] is JsonArray { Count: > 0 } calls)
        {
            return new NewEvent { Type = EventType.ToolCall, Role = role, Name = FunctionName(calls), Content = ToolCallsText(text, calls), IdempotencyKey = key };
        }

        if (role == EventRole.Tool)
        {
            return new NewEvent
            {
                Type = EventType.ToolResult,
                Role = role,
                Name = toolCallId is { Length: > 0 and <= 256 } ? toolCallId : name,
                Content = text.Length == 0 ? "(empty result)" : text,
                IdempotencyKey = key,
            };
        }

        return new NewEvent { Type = EventType.Message, Role = role, Name = name, Content = text.Length == 0 ? "(no text)" : text, IdempotencyKey = key };
    }

    private static string? FunctionName(JsonArray calls) =>
        calls[0]?["function"]?["name"] is JsonValue v && v.TryGetValue<string>(out var name) && name.Length is > 0 and <= 256 ? name : null;

    private static string ToolCallsText(string text, JsonArray calls)
    {
        var compact = new JsonArray();
        foreach (var call in calls)
        {
            compact.Add(new JsonObject
            {
                ["id"] = call?["id"]?.DeepClone(),
                ["name"] = call?["function"]?["name"]?.DeepClone(),
                ["arguments"] = call?["function"]?["arguments"]?.DeepClone(),
            });
        }

        return (text.Length > 0 ? text + "\n" : "") + compact.ToJsonString();
    }

    private static string Text(JsonNode? content, int index) => content switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray parts => string.Join("\n", parts.Select(p => p?["text"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null).Where(s => s is not null)),
        _ => throw new GatewayRequestException(400, $"messages[{index}].content must be a string, an array of parts or null.", "invalid_type", $"messages[{index}].content"),
    };

    private static void Hash(ReadOnlySpan<byte> chain, string identity, Span<byte> into)
    {
        var bytes = new byte[32 + Encoding.UTF8.GetMaxByteCount(identity.Length)];
        chain.CopyTo(bytes);
        var length = Encoding.UTF8.GetBytes(identity, bytes.AsSpan(32));
        SHA256.HashData(bytes.AsSpan(0, 32 + length), into);
    }

    private static string Key(ReadOnlySpan<byte> chain, string suffix) =>
        KeyPrefix + Convert.ToBase64String(chain[..18]).Replace('+', '-').Replace('/', '_') + suffix;
}

/// <summary>A message of the client's history.</summary>
/// <param name="Role">system, user, assistant or tool.</param>
/// <param name="Text">Its text.</param>
/// <param name="Node">The message as sent (forwarded as it is).</param>
/// <param name="Key">Its idempotency key; null for a system message.</param>
/// <param name="Event">The event that records it; null for a system message.</param>
internal sealed record GatewayMessage(string Role, string Text, JsonObject Node, string? Key, NewEvent? Event);
