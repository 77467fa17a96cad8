using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Continuum.Channels.Tests.Fakes;

/// <summary>
/// A stand-in for an OpenAI-compatible model server on loopback: <c>POST /v1/chat/completions</c>, answered as a
/// stream of server-sent chunks (or one JSON completion when not asked to stream), with the answer the test sets;
/// or a 500 when told to fail. It keeps every request's messages, so a test sees what the model was sent.
/// </summary>
public sealed class FakeChatModel : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SemaphoreSlim _release = new(0);

    private FakeChatModel(WebApplication app) => _app = app;

    public string Endpoint { get; private set; } = "";

    /// <summary>The answer to give; <c>{last}</c> stands for the last message's text.</summary>
    public string Answer { get; set; } = "You said: {last}";

    public bool Fail { get; set; }

    /// <summary>When set, each answer waits for <see cref="Release"/> before it is sent (a slow model).</summary>
    public bool Hold { get; set; }

    public CallLog<JsonArray> Requests { get; } = new();

    public static async Task<FakeChatModel> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var model = new FakeChatModel(app);
        app.MapPost("/v1/chat/completions", model.HandleAsync);
        await app.StartAsync();
        model.Endpoint = app.Urls.First() + "/v1";
        return model;
    }

    public void Release() => _release.Release();

    private async Task HandleAsync(HttpContext http)
    {
        var body = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync())!;
        var messages = body["messages"]!.AsArray();
        Requests.Add((JsonArray)messages.DeepClone());
        if (Hold)
        {
            await _release.WaitAsync(http.RequestAborted);
        }

        if (Fail)
        {
            http.Response.StatusCode = 500;
            await http.Response.WriteAsJsonAsync(new { error = new { message = "model overloaded", type = "server_error" } });
            return;
        }

        var last = messages[^1]!["content"] is JsonValue v ? v.ToString() : messages[^1]!["content"]!.ToJsonString();
        var answer = Answer.Replace("{last}", last, StringComparison.Ordinal);
        if ((bool?)body["stream"] != true)
        {
            await http.Response.WriteAsJsonAsync(new
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

        http.Response.ContentType = "text/event-stream";
        foreach (var piece in answer.Chunk(500).Select(c => new string(c)))
        {
            await WriteEventAsync(http, new { id = "chatcmpl-fake", @object = "chat.completion.chunk", created = 1_700_000_000, model = "fake-model", choices = new[] { new { index = 0, delta = new { role = "assistant", content = piece }, finish_reason = (string?)null } } });
        }

        await WriteEventAsync(http, new { id = "chatcmpl-fake", @object = "chat.completion.chunk", created = 1_700_000_000, model = "fake-model", choices = new[] { new { index = 0, delta = new { }, finish_reason = "stop" } }, usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 } });
        await http.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static async Task WriteEventAsync(HttpContext http, object chunk)
    {
        await http.Response.WriteAsync("data: " + JsonSerializer.Serialize(chunk) + "\n\n");
        await http.Response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _release.Dispose();
    }
}
