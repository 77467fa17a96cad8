using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Continuum.Sessions;

namespace Continuum.AspNetCore.Gateway;

/// <summary>What an upstream answered, gathered from its pieces (or its one JSON answer): text, tool calls, model, usage.</summary>
internal sealed class StreamAccumulator
{
    private readonly StringBuilder _text = new();
    private readonly SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)> _tools = [];
    private string? _model;
    private string? _finish;
    private long? _input;
    private long? _output;
    private long? _total;

    public bool HasContent => _text.Length > 0 || _tools.Count > 0;

    /// <summary>Adds one streamed piece; false when it carries no choice (the usage-only last piece).</summary>
    public bool Add(ReadOnlyMemory<char> data)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return true;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return true;
            }

            ReadHead(root);
            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            {
                return false;
            }

            var choice = choices[0];
            if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
            {
                _finish = finish.GetString();
            }

            if (!choice.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
            {
                return true;
            }

            if (delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            {
                _text.Append(content.GetString());
            }

            if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    var index = call.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : 0;
                    var entry = _tools.TryGetValue(index, out var found) ? found : (null, null, new StringBuilder());
                    if (call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                    {
                        entry.Id = id.GetString();
                    }

                    if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
                    {
                        if (function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                        {
                            entry.Name = name.GetString();
                        }

                        if (function.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.String)
                        {
                            entry.Arguments.Append(arguments.GetString());
                        }
                    }

                    _tools[index] = entry;
                }
            }

            return true;
        }
    }

    /// <summary>Gathers a non-streamed answer.</summary>
    public static StreamAccumulator FromCompletion(byte[] json)
    {
        var accumulated = new StreamAccumulator();
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return accumulated;
            }

            accumulated.ReadHead(root);
            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
            {
                var choice = choices[0];
                if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
                {
                    accumulated._finish = finish.GetString();
                }

                if (choice.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
                {
                    if (message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                    {
                        accumulated._text.Append(content.GetString());
                    }

                    if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                    {
                        var index = 0;
                        foreach (var call in calls.EnumerateArray())
                        {
                            var function = call.TryGetProperty("function", out var f) ? f : default;
                            accumulated._tools[index++] = (
                                call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
                                function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
                                new StringBuilder(function.ValueKind == JsonValueKind.Object && function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : ""));
                        }
                    }
                }
            }
        }
        catch (JsonException)
        {
            // An answer that is not JSON is relayed as it is; there is nothing to record from it but that it came.
        }

        return accumulated;
    }

    /// <summary>The event recording the answer, with model, usage, latency and whether it is complete in its metadata.</summary>
    public NewEvent AnswerEvent(string key, ResolvedUpstream upstream, TimeSpan latency, bool incomplete)
    {
        var metadata = JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["model"] = _model ?? upstream.Model,
            ["usage"] = new Dictionary<string, object?> { ["inputTokens"] = _input, ["outputTokens"] = _output, ["totalTokens"] = _total },
            ["latencyMs"] = Math.Round(latency.TotalMilliseconds, 1),
            ["upstream"] = upstream.Name,
            ["finishReason"] = _finish,
            ["incomplete"] = incomplete,
            ["via"] = "gateway",
        });
        JsonArray? calls = null;
        if (_tools.Count > 0)
        {
            calls = [];
            foreach (var (_, (id, name, arguments)) in _tools)
            {
                calls.Add(new JsonObject
                {
                    ["id"] = id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments.ToString() },
                });
            }
        }

        return GatewayHistory.AnswerEvent(_text.ToString(), calls, key, metadata);
    }

    private void ReadHead(JsonElement root)
    {
        if (_model is null && root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String)
        {
            _model = model.GetString();
        }

        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            _input = Number(usage, "prompt_tokens");
            _output = Number(usage, "completion_tokens");
            _total = Number(usage, "total_tokens");
        }
    }

    private static long? Number(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.TryGetInt64(out var n) ? n : null;
}
