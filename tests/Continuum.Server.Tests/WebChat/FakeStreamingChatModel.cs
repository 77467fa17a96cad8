using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Continuum.Server.Tests.WebChat;

/// <summary>
/// A stand-in for an OpenAI-compatible model server on loopback speaking the real <c>/v1/chat/completions</c> wire
/// protocol: a JSON completion, or with <c>"stream": true</c> server-sent <c>chat.completion.chunk</c> events ending
/// in <c>data: [DONE]</c>. It answers "Echo: " and the last user message, a few words a chunk, and keeps every
/// request's messages so a test can read what the model was given.
/// </summary>
public sealed class FakeStreamingChatModel : IAsyncDisposable
{
    private static readonly JsonSerializerOptions ChunkJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly WebApplication _app;
    private readonly List<JsonArray> _requests = [];

    private FakeStreamingChatModel(WebApplication app) => _app = app;

    /// <summary>The base address to configure as <c>Continuum:Models:Chat:Endpoint</c>.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>Every request's messages, in arrival order.</summary>
    public IReadOnlyList<JsonArray> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The answering requests (not the summarizer's or other background calls): those whose last message is the user's.</summary>
    public IReadOnlyList<JsonArray> AnswerRequests => Requests.Where(r => (string?)r[^1]!["role"] == "user" && !IsBackground(r)).ToList();

    public static async Task<FakeStreamingChatModel> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var model = new FakeStreamingChatModel(app);
        app.MapPost("/v1/chat/completions", (Delegate)model.HandleAsync);
        await app.StartAsync();
        model.Endpoint = app.Urls.First() + "/v1";
        return model;
    }

    /// <summary>Every text of the messages of <paramref name="request"/>, joined.</summary>
    public static string TextOf(JsonArray request) => string.Join("\n", request.Select(m => ContentOf(m!["content"])));

    private static string ContentOf(JsonNode? content) => content switch
    {
        null => "",
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => (string?)p!["text"] ?? "")),
        _ => content.ToJsonString(),
    };

    private static bool IsBackground(JsonArray request) =>
        request.Count > 0 && (string?)request[0]!["role"] == "system"
        && ContentOf(request[0]!["content"]) is var system
        && (system.StartsWith("You keep a user's facts current", StringComparison.Ordinal)
            || system.StartsWith("List the entities", StringComparison.Ordinal)
            || system.StartsWith("You write the handoff", StringComparison.Ordinal)
            || system.Contains("Summarize", StringComparison.OrdinalIgnoreCase));

    private async Task HandleAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var messages = body["messages"]!.AsArray();
        lock (_requests)
        {
            _requests.Add(messages.DeepClone().AsArray());
        }

        var last = ContentOf(messages[^1]!["content"]);
        var answer = "Echo: " + last.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        var stream = body["stream"] is JsonValue flag && flag.GetValue<bool>();
        if (!stream)
        {
            await context.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-fake",
                @object = "chat.completion",
                created = 1_700_000_000,
                model = "fake-model",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = answer }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
            });
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var words = answer.Split(' ');
        for (var i = 0; i < words.Length; i += 2)
        {
            var piece = string.Join(' ', words.Skip(i).Take(2)) + (i + 2 < words.Length ? " " : "");
            await WriteChunkAsync(context, new { role = i == 0 ? "assistant" : null, content = piece }, null);
        }

        await WriteChunkAsync(context, new { role = (string?)null, content = (string?)null }, "stop");
        await context.Response.WriteAsync("data: [DONE]\n\n");
        await context.Response.Body.FlushAsync();
    }

    private static async Task WriteChunkAsync(HttpContext context, object delta, string? finishReason)
    {
        var chunk = JsonSerializer.Serialize(new
        {
            id = "chatcmpl-fake",
            @object = "chat.completion.chunk",
            created = 1_700_000_000,
            model = "fake-model",
            choices = new[] { new { index = 0, delta, finish_reason = finishReason } },
        }, ChunkJson);
        await context.Response.WriteAsync("data: " + chunk + "\n\n");
        await context.Response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
