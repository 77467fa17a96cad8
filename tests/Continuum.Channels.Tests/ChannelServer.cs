using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Continuum.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Continuum.Channels.Tests;

/// <summary>
/// A real Continuum server (Kestrel on 127.0.0.1, a port the OS picks) on a SQLite file in a temp folder of its own
/// (or a PostgreSQL database with <c>CONTINUUM_TEST_STORE=postgres</c>), with the channels the settings turn on.
/// </summary>
public sealed class ChannelServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ChannelServer(WebApplication app, string dataDirectory, HttpClient http)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Http = http;
    }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public string DataDirectory { get; }

    public static async Task<ChannelServer> StartAsync(TimeProvider? clock, params string[] settings)
    {
        var directory = Path.Combine(Path.GetTempPath(), "continuum-channels-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string[] args = ["--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", directory, .. await Continuum.Testing.TestStore.WithStoreAsync(settings)];
        var app = ContinuumServer.Build(args, b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            if (clock is not null)
            {
                b.Services.AddSingleton(clock);
            }
        });
        await app.StartAsync();
        var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single() + "/"), Timeout = TimeSpan.FromMinutes(2) };
        return new ChannelServer(app, directory, http);
    }

    public async Task<JsonObject> GetOkAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task<JsonObject> PostOkAsync(string path, object body, HttpStatusCode expected)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>The sessions on an interface, newest first.</summary>
    public async Task<List<JsonObject>> SessionsOnAsync(string iface)
    {
        var page = await GetOkAsync($"api/sessions?interface={iface}&limit=500");
        return [.. page["sessions"]!.AsArray().Select(s => s!.AsObject())];
    }

    /// <summary>Every event of the session.</summary>
    public async Task<List<JsonObject>> EventsAsync(string sessionId)
    {
        var page = await GetOkAsync($"api/sessions/{sessionId}/events?after=0&limit=1000");
        return [.. page["events"]!.AsArray().Select(e => e!.AsObject())];
    }

    /// <summary>The store's counts: sessions, users, events (every interface).</summary>
    public async Task<(long Sessions, long Users, long Events)> CountsAsync()
    {
        var stats = await GetOkAsync("api/stats");
        var sessions = stats["sessions"] as JsonObject ?? stats;
        return ((long)sessions["totalSessions"]!, (long)sessions["users"]!, (long)sessions["events"]!);
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
