using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Continuum.Security;
using Continuum.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

// Append and search throughput over HTTP with API keys on against keys off, in one run: two servers in this
// process on their own SQLite files, driven in turn in ABBA order (off, on, on, off, ...) so that the machine's noise falls on
// both alike. Prints requests a second per phase and the on/off ratio of the totals.
var seconds = Arg("--seconds", 5);
var clients = Arg("--clients", 8);
var rounds = Arg("--rounds", 3);
var root = Path.Combine(Path.GetTempPath(), $"continuum-keysbench-{Guid.NewGuid():N}");
Directory.CreateDirectory(root);
try
{
    await using var off = await Node.StartAsync(Path.Combine(root, "off"), requireKeys: false);
    await using var on = await Node.StartAsync(Path.Combine(root, "on"), requireKeys: true);
    Console.WriteLine($"keys bench: {clients} clients, {rounds} rounds of {seconds} s per phase, {Environment.ProcessorCount} cores, SQLite synchronous=FULL");
    var totals = new Dictionary<string, long>();
    foreach (var node in new[] { off, on })
    {
        await node.SeedAsync(clients);
    }

    for (var round = 1; round <= rounds; round++)
    {
        foreach (var workload in new[] { "append", "search" })
        {
            // ABBA: odd rounds run keys off first, even rounds keys on first, so a drift in the machine's load
            // over a round falls on both sides alike.
            foreach (var node in round % 2 == 1 ? new[] { off, on } : [on, off])
            {
                var count = await node.RunAsync(workload, clients, TimeSpan.FromSeconds(seconds));
                var key = $"{workload} {node.Name}";
                totals[key] = totals.GetValueOrDefault(key) + count;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round} {workload,-6} keys {node.Name,-3}: {count / (double)seconds,8:F0} req/s"));
            }
        }
    }

    Console.WriteLine();
    foreach (var workload in new[] { "append", "search" })
    {
        var a = totals[$"{workload} off"] / (double)(rounds * seconds);
        var b = totals[$"{workload} on"] / (double)(rounds * seconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{workload,-6}: keys off {a,8:F0} req/s, keys on {b,8:F0} req/s, on/off {b / a:F3} ({(1 - (b / a)) * 100:+0.0;-0.0}% cost)"));
    }
}
finally
{
    try
    {
        Directory.Delete(root, recursive: true);
    }
    catch (IOException)
    {
        // Left for the temp folder's own cleanup.
    }
}

return 0;

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
}

internal sealed class Node : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private readonly List<string> _sessions = [];
    private string _user = "";

    private Node(string name, WebApplication app, HttpClient http)
    {
        Name = name;
        _app = app;
        _http = http;
    }

    public string Name { get; }

    public static async Task<Node> StartAsync(string directory, bool requireKeys)
    {
        var app = ContinuumServer.Build([
            "--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", directory,
            "--Continuum:Security:RequireKeys", requireKeys ? "true" : "false",
            "--Continuum:Models:Embeddings:Provider", "none",
            "--Logging:LogLevel:Default", "Warning",
        ]);
        await app.StartAsync();
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(app.Urls.First() + "/"),
        };
        if (requireKeys)
        {
            using (CallerContext.Use(Caller.Local("default")))
            {
                var key = await app.Services.GetRequiredService<IApiKeyService>().CreateAsync(new NewApiKey([ApiScopes.Read, ApiScopes.Write], "bench"));
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Secret);
            }
        }

        return new Node(requireKeys ? "on" : "off", app, http);
    }

    public async Task SeedAsync(int clients)
    {
        for (var i = 0; i < clients; i++)
        {
            var response = await _http.PostAsJsonAsync("api/sessions", new { identity = new { @interface = "bench", externalUserId = "person" }, @interface = "bench", mode = "new" });
            response.EnsureSuccessStatusCode();
            var session = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            _sessions.Add((string)session["id"]!);
            _user = (string)session["userId"]!;
        }

        // Something to find: 2,000 events over the user's sessions.
        for (var i = 0; i < 20; i++)
        {
            var events = Enumerable.Range(0, 100).Select(n => new { content = $"note {i * 100 + n} about the {Words[n % Words.Length]} and the {Words[(n * 7) % Words.Length]}" }).ToArray();
            (await _http.PostAsJsonAsync($"api/sessions/{_sessions[i % _sessions.Count]}/events:batch", new { events })).EnsureSuccessStatusCode();
        }
    }

    private static readonly string[] Words = ["heron", "kettle", "glacier", "lantern", "orchard", "compass", "harbor", "meadow", "quarry", "thistle"];

    public async Task<long> RunAsync(string workload, int clients, TimeSpan duration)
    {
        var count = 0L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var i = 0;
            while (clock.Elapsed < duration)
            {
                using var response = workload == "append"
                    ? await _http.PostAsJsonAsync($"api/sessions/{_sessions[client]}/events", new { content = $"client {client} line {i++} mentions the {Words[i % Words.Length]}" })
                    : await _http.PostAsJsonAsync("api/search", new { userId = _user, query = $"{Words[i++ % Words.Length]} {Words[(i * 3) % Words.Length]}", limit = 10 });
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref count);
            }
        }));
        return count;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
