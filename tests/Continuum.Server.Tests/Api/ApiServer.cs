using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Continuum.Server.Tests.Api;

/// <summary>
/// A real Continuum server (Kestrel on 127.0.0.1, a port the OS picks) over a SQLite file in a temp folder of its
/// own, with an HttpClient pointed at it.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiServer(WebApplication app, string dataDirectory, HttpClient http)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Http = http;
    }

    public HttpClient Http { get; }

    /// <summary>The server's services (to look at what a node did inside).</summary>
    public IServiceProvider Services => _app.Services;

    public string DataDirectory { get; }

    /// <summary>Starts a server; <paramref name="settings"/> are further command-line pairs such as <c>--Continuum:Limits:MaxRequestBytes 300000</c>.</summary>
    public static Task<ApiServer> StartAsync(params string[] settings) => StartAsync(null, settings);

    /// <summary>Starts a server that also logs to <paramref name="logs"/>.</summary>
    public static Task<ApiServer> StartAsync(ILoggerProvider? logs, params string[] settings) => StartAsync(logs, null, settings);

    /// <summary>Starts a server whose clock is <paramref name="clock"/>, so a test moves time instead of sleeping.</summary>
    public static Task<ApiServer> StartWithClockAsync(TimeProvider clock, params string[] settings) => StartAsync(null, clock, settings);

    private static async Task<ApiServer> StartAsync(ILoggerProvider? logs, TimeProvider? clock, string[] settings)
    {
        var directory = Path.Combine(Path.GetTempPath(), "continuum-api-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string[] args = ["--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", directory, .. await Continuum.Testing.TestStore.WithStoreAsync(settings)];
        var app = ContinuumServer.Build(args, b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            if (clock is not null)
            {
                b.Services.AddSingleton(clock);
            }

            if (logs is not null)
            {
                b.Logging.AddProvider(logs);
            }
        });
        await app.StartAsync();
        var address = app.Urls.Single();
        new Uri(address).Port.ShouldBeGreaterThan(0);
        var http = new HttpClient { BaseAddress = new Uri(address + "/"), Timeout = TimeSpan.FromMinutes(2) };
        return new ApiServer(app, directory, http);
    }

    /// <summary>Sends <paramref name="body"/> as JSON and returns the status and the parsed response (null when empty).</summary>
    public async Task<Reply> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await ReadAsync(request);
    }

    /// <summary>Sends <paramref name="rawBody"/> as it is, with a JSON content type.</summary>
    public async Task<Reply> SendRawAsync(HttpMethod method, string path, string rawBody)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(rawBody, Encoding.UTF8, "application/json") };
        return await ReadAsync(request);
    }

    public Task<Reply> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<Reply> PostAsync(string path, object? body) => SendAsync(HttpMethod.Post, path, body);

    /// <summary>POSTs and requires <paramref name="expectedStatus"/>; returns the JSON object answered.</summary>
    public async Task<JsonObject> PostOkAsync(string path, object body, HttpStatusCode expectedStatus = HttpStatusCode.Created)
    {
        var reply = await PostAsync(path, body);
        reply.Status.ShouldBe(expectedStatus, reply.Text);
        return reply.Json;
    }

    /// <summary>GETs and requires 200; returns the JSON object answered.</summary>
    public async Task<JsonObject> GetOkAsync(string path)
    {
        var reply = await GetAsync(path);
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        return reply.Json;
    }

    /// <summary>Opens a new session for an identity and returns it.</summary>
    public Task<JsonObject> OpenSessionAsync(string iface, string externalUserId, string? interfaceId = null) =>
        PostOkAsync("api/sessions", new
        {
            identity = new { @interface = iface, externalUserId },
            @interface = iface,
            interfaceId,
            mode = "new",
        });

    public Task<JsonObject> AppendAsync(string sessionId, string content, string role = "user") =>
        PostOkAsync($"api/sessions/{sessionId}/events", new { role, content });

    /// <summary>Every event of the session, following <c>next</c>.</summary>
    public async Task<List<JsonObject>> AllEventsAsync(string sessionId)
    {
        var events = new List<JsonObject>();
        var after = "0";
        while (after is not null)
        {
            var page = await GetOkAsync($"api/sessions/{sessionId}/events?after={after}&limit=1000");
            events.AddRange(page["events"]!.AsArray().Select(e => e!.AsObject()));
            after = (string?)page["next"];
        }

        return events;
    }

    private async Task<Reply> ReadAsync(HttpRequestMessage request)
    {
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file the OS still holds is left for the temp folder's own cleanup.
        }
    }
}
