using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Continuum.Server.Tests.Context;

/// <summary>A real Continuum server on loopback over a temp SQLite file, with helpers for the context tests.</summary>
public sealed class ContextServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private ContextServer(WebApplication app, string directory, HttpClient http)
    {
        _app = app;
        _directory = directory;
        Http = http;
    }

    public HttpClient Http { get; }

    public static async Task<ContextServer> StartAsync(params string[] settings)
    {
        var directory = Path.Combine(Path.GetTempPath(), "continuum-ctx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string[] args = ["--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", directory, .. await Continuum.Testing.TestStore.WithStoreAsync(settings)];
        var app = ContinuumServer.Build(args, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var http = new HttpClient { BaseAddress = new Uri(app.Urls.First() + "/") };
        return new ContextServer(app, directory, http);
    }

    public async Task<JsonObject> PostAsync(string path, object body, int expectedStatus = 201)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(expectedStatus, text);
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    public async Task<JsonObject> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task<string> OpenSessionAsync(string iface, string externalUserId, int? tokenLimit = null)
    {
        var session = await PostAsync("api/sessions", new
        {
            identity = new { @interface = iface, externalUserId },
            @interface = iface,
            mode = "new",
            tokenLimit,
        });
        return (string)session["id"]!;
    }

    public Task<JsonObject> AppendAsync(string sessionId, string role, string content, string type = "message", string? name = null) =>
        PostAsync($"api/sessions/{sessionId}/events", new { role, content, type, name });

    /// <summary>Waits until <paramref name="condition"/> holds, polling; fails after the timeout.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until " + because);
            }

            await Task.Delay(50);
        }
    }

    public static string Text(JsonNode? node) => node is null ? "" : node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the OS is removed with the temp folder later.
        }
    }
}
