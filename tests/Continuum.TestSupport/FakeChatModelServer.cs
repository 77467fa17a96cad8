using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Continuum.Testing;

/// <summary>
/// A stand-in for an OpenAI-compatible model server on loopback, the one every test suite uses (the gateway, the web
/// chat, the channels): it speaks the real <c>/v1/chat/completions</c> wire protocol (JSON, and server-sent
/// <c>chat.completion.chunk</c> events ending in <c>data: [DONE]</c>), calls a tool when the request offers tools,
/// fails with a chosen status in OpenAI's error shape, holds an answer until the test releases it, or holds a stream
/// open until the caller goes away. It keeps every request so a test reads what the model was given.
/// </summary>
public sealed class FakeChatModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CallLog<JsonObject> _requests = new();
    private readonly List<string> _authorizations = [];
    private readonly SemaphoreSlim _release = new(0);

    private FakeChatModelServer(WebApplication app) => _app = app;

    /// <summary>The base URL including <c>/v1</c>.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>The model name it reports.</summary>
    public string ModelName { get; set; } = "fake-model";

    /// <summary>When set, every call fails with this status in OpenAI's error shape.</summary>
    public int? FailWith { get; set; }

    /// <summary>When true, a call never answers (until the caller gives up).</summary>
    public bool Hang { get; set; }

    /// <summary>When true, each answer waits for <see cref="Release"/> before it is sent (a slow model).</summary>
    public bool Hold { get; set; }

    /// <summary>When true, a stream sends its first piece and then waits until the caller goes away.</summary>
    public bool StallAfterFirstPiece { get; set; }

    /// <summary>Completes when a stalled stream's caller went away.</summary>
    public TaskCompletionSource CallerLeft { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The answer's text; default <c>Fake answer to: </c> and the last user message.</summary>
    public Func<JsonObject, string>? Answer { get; set; }

    /// <summary>The request bodies received, in order (the chat completions calls only).</summary>
    public IReadOnlyList<JsonObject> Requests => _requests.Snapshot();

    /// <summary>
    /// The answering requests, in order: those whose last message is the user's, leaving out Continuum's background
    /// calls (the summarizer, the fact judge, entity extraction, handoff writing).
    /// </summary>
    public IReadOnlyList<JsonObject> AnswerRequests => [.. Requests.Where(r => (string?)r["messages"]!.AsArray()[^1]!["role"] == "user" && !IsBackground(r))];

    /// <summary>The Authorization headers received, in order.</summary>
    public IReadOnlyList<string> Authorizations
    {
        get
        {
            lock (_authorizations)
            {
                return [.. _authorizations];
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> requests have arrived and returns them all (fails after 30 seconds).</summary>
    public Task<IReadOnlyList<JsonObject>> WaitForRequestsAsync(int count = 1) => _requests.WaitForAsync(_ => true, count);

    /// <summary>Lets one held answer (<see cref="Hold"/>) go.</summary>
    public void Release() => _release.Release();

    /// <summary>The requests whose text (any message) contains <paramref name="text"/>.</summary>
    public IReadOnlyList<JsonObject> RequestsMentioning(string text) =>
        [.. Requests.Where(r => r["messages"]!.ToJsonString().Contains(text, StringComparison.Ordinal))];

    public static async Task<FakeChatModelServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new FakeChatModelServer(app);
        app.MapPost("/v1/chat/completions", (Func<HttpContext, Task>)upstream.CompleteAsync);
        app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = upstream.ModelName, @object = "model", created = 1_700_000_000, owned_by = "fake" } } }));
        await app.StartAsync();
        upstream.Endpoint = app.Urls.First() + "/v1";
        return upstream;
    }

    /// <summary>The text of the last user message of a request.</summary>
    public static string LastUserText(JsonObject request) =>
        ContentOf(request["messages"]!.AsArray().Last(m => (string?)m!["role"] == "user")!["content"]);

    /// <summary>Every text of the messages of <paramref name="request"/>, joined by line breaks.</summary>
    public static string TextOf(JsonObject request) => string.Join("\n", request["messages"]!.AsArray().Select(m => ContentOf(m!["content"])));

    private static string ContentOf(JsonNode? content) => content switch
    {
        JsonValue v => (string?)v ?? "",
        JsonArray parts => string.Concat(parts.Select(p => (string?)p!["text"])),
        _ => "",
    };

    private static bool IsBackground(JsonObject request) =>
        request["messages"]!.AsArray() is [{ } first, ..] && (string?)first["role"] == "system"
        && ContentOf(first["content"]) is var system
        && (system.StartsWith("You keep a user's facts current", StringComparison.Ordinal)
            || system.StartsWith("List the entities", StringComparison.Ordinal)
            || system.StartsWith("You write the handoff", StringComparison.Ordinal)
            || system.Contains("Summarize", StringComparison.OrdinalIgnoreCase));

    private async Task CompleteAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        lock (_authorizations)
        {
            _authorizations.Add(context.Request.Headers.Authorization.ToString());
        }

        _requests.Add(body);
        if (Hold)
        {
            try
            {
                await _release.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (FailWith is { } status)
        {
            var (type, code) = status switch
            {
                401 => ("invalid_request_error", "invalid_api_key"),
                429 => ("rate_limit_exceeded", "rate_limit_exceeded"),
                _ => ("server_error", "server_error"),
            };
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(new { error = new { message = $"fake upstream failed with {status}", type, param = (string?)null, code } });
            return;
        }

        if (Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var messages = body["messages"]!.AsArray();
        var offersTools = body["tools"] is JsonArray { Count: > 0 };
        var answeredTool = messages.Any(m => (string?)m!["role"] == "tool");
        var toolCall = offersTools && !answeredTool;
        var text = toolCall ? "" : Answer?.Invoke(body) ?? "Fake answer to: " + LastUserText(body);
        var streaming = body["stream"] is JsonValue s && s.GetValue<bool>();
        if (!streaming)
        {
            await context.Response.WriteAsJsonAsync(Completion(body, text, toolCall));
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var includeUsage = body["stream_options"]?["include_usage"] is JsonValue u && u.GetValue<bool>();
        var pieces = toolCall ? [] : Pieces(text);
        await WriteEventAsync(context, Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
        for (var i = 0; i < pieces.Count; i++)
        {
            await WriteEventAsync(context, Chunk(new JsonObject { ["content"] = pieces[i] }, null));
            if (i == 0 && StallAfterFirstPiece)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    CallerLeft.TrySetResult();
                    return;
                }
            }
        }

        if (toolCall)
        {
            var tool = (string)body["tools"]![0]!["function"]!["name"]!;
            await WriteEventAsync(context, Chunk(new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["id"] = "call_fake_1",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = tool, ["arguments"] = "" },
                }),
            }, null));
            await WriteEventAsync(context, Chunk(new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = "{\"city\":\"Oslo\"}" } }),
            }, null));
        }

        await WriteEventAsync(context, Chunk(new JsonObject(), toolCall ? "tool_calls" : "stop"));
        if (includeUsage)
        {
            var usageChunk = Chunk(null, null);
            usageChunk["usage"] = Usage(body, text);
            await WriteEventAsync(context, usageChunk);
        }

        await context.Response.WriteAsync("data: [DONE]\n\n");
        await context.Response.Body.FlushAsync();

        JsonObject Chunk(JsonObject? delta, string? finish) => new()
        {
            ["id"] = "chatcmpl-fake-stream",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_700_000_000,
            ["model"] = ModelName,
            ["choices"] = delta is null
                ? new JsonArray()
                : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
    }

    private JsonObject Completion(JsonObject body, string text, bool toolCall)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = toolCall ? null : text };
        if (toolCall)
        {
            message["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = "call_fake_1",
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = (string)body["tools"]![0]!["function"]!["name"]!, ["arguments"] = "{\"city\":\"Oslo\"}" },
            });
        }

        return new JsonObject
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = ModelName,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = toolCall ? "tool_calls" : "stop" }),
            ["usage"] = Usage(body, text),
            ["system_fingerprint"] = "fp_fake",
        };
    }

    private static JsonObject Usage(JsonObject body, string text)
    {
        var prompt = body["messages"]!.ToJsonString().Length / 4;
        var completion = Math.Max(1, text.Length / 4);
        return new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };
    }

    private static List<string> Pieces(string text)
    {
        var pieces = new List<string>();
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            pieces.Add(i == 0 ? words[i] : " " + words[i]);
        }

        return pieces;
    }

    private static async Task WriteEventAsync(HttpContext context, JsonObject chunk)
    {
        await context.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n");
        await context.Response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _release.Dispose();
    }
}
