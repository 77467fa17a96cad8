// Dashboard benchmark: each page's render time on a seeded store (default 1,000 sessions of 100 events each,
// 100,000 events), measured as the full GET over loopback HTTP, so the figure is the server's render plus the
// transfer (an upper bound on the render). Real server, real SQLite file. Target: at most 200 ms a page.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Continuum.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

var sessions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var perSession = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
var iterations = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 30;
var root = Path.Combine(Path.GetTempPath(), $"continuum-dashboardbench-{Guid.NewGuid():N}");
Console.WriteLine($"Continuum dashboard benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine($"{sessions:N0} sessions of {perSession} events ({sessions * perSession:N0} events) over {Math.Max(1, sessions / 10):N0} users on five interfaces; {iterations} GETs a page after 3 warm-up GETs");
Console.WriteLine();

var app = ContinuumServer.Build(["--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", root, "--Logging:LogLevel:Default", "Warning",
    "--Continuum:Storage:Sqlite:Synchronous", "NORMAL", "--Continuum:Models:Embeddings:Provider", "none"]);
try
{
    await using (app)
    {
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First() + "/"), Timeout = TimeSpan.FromMinutes(5) };
        string[] interfaces = ["telegram", "web", "cli", "discord", "api"];
        var seeding = Stopwatch.StartNew();
        string? lastSession = null, lastUser = null;
        for (var s = 0; s < sessions; s++)
        {
            var user = s % Math.Max(1, sessions / 10);
            var iface = interfaces[s % interfaces.Length];
            var opened = await http.PostAsJsonAsync("api/sessions", new
            {
                identity = new { @interface = iface, externalUserId = $"user-{user}", displayName = $"User {user}" },
                @interface = iface,
                title = $"Session {s} about node-{s % 13}",
                mode = "new",
                tokenLimit = 1_000_000,
            });
            opened.EnsureSuccessStatusCode();
            var session = (await opened.Content.ReadFromJsonAsync<JsonObject>())!;
            lastSession = (string)session["id"]!;
            lastUser = (string)session["userId"]!;
            var events = Enumerable.Range(0, perSession).Select(i => new
            {
                type = i % 25 == 24 ? "tool_call" : "message",
                role = i % 2 == 0 ? "user" : "assistant",
                name = i % 25 == 24 ? "read_sensor" : null,
                content = $"Message {i}: the deploy of service api-{i % 7} on host node-{i % 13} finished in {i % 60} s; latency p99 is {i % 90} ms after the change.",
            }).ToArray();
            (await http.PostAsJsonAsync($"api/sessions/{lastSession}/events:batch", new { events })).EnsureSuccessStatusCode();
        }

        Console.WriteLine($"seeded in {seeding.Elapsed.TotalSeconds:N1} s");
        var firstPage = (await http.GetFromJsonAsync<JsonObject>("api/sessions?limit=50"))!;
        var cursor = (string?)firstPage["next"];

        var pages = new (string Name, string Path)[]
        {
            ("overview", ""),
            ("sessions, first page", "sessions"),
            ("sessions, second page (cursor)", "sessions?cursor=" + Uri.EscapeDataString(cursor ?? "")),
            ("sessions, by interface and status", "sessions?interface=cli&status=active"),
            ("sessions, full-text search of a user", $"sessions?user={lastUser}&q=deploy+node-3"),
            ("conversation (100 events)", $"sessions/{lastSession}"),
            ("conversation with a context preview", $"sessions/{lastSession}?query=latency+of+api-3&budget=2000"),
            ("users", "users"),
            ("user", $"users/{lastUser}"),
            ("agents", "agents"),
            ("handoffs", "handoffs"),
        };
        Console.WriteLine();
        Console.WriteLine("| page | bytes | p50 ms | p95 ms | max ms |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (name, path) in pages)
        {
            long bytes = 0;
            for (var i = 0; i < 3; i++)
            {
                bytes = await GetAsync(http, path);
            }

            var times = new double[iterations];
            for (var i = 0; i < iterations; i++)
            {
                var started = Stopwatch.GetTimestamp();
                bytes = await GetAsync(http, path);
                times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(times);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {bytes:N0} | {times[iterations / 2]:F1} | {times[Math.Min(iterations - 1, (int)Math.Ceiling(iterations * 0.95) - 1)]:F1} | {times[^1]:F1} |"));
        }

        // Where a full-text search of one user's sessions spends its time: the whole hybrid search against the one
        // lexical index query the sessions page makes.
        Console.WriteLine();
        Console.WriteLine("| full-text search of a user, in-process | p50 ms | p95 ms |");
        Console.WriteLine("| --- | ---: | ---: |");
        using (Continuum.Security.CallerContext.Use(Continuum.Security.Caller.Local("default")))
        {
            var search = app.Services.GetRequiredService<Continuum.Search.ISearchService>();
            var store = app.Services.GetRequiredService<Continuum.Search.ISearchStore>();
            var terms = Continuum.Search.QueryText.Terms("deploy node-3");
            var parts = new (string Name, Func<Task> Run)[]
            {
                ("search service (events, summaries, memories, fused)", () => search.SearchAsync(new Continuum.Search.SearchRequest { UserId = lastUser, Query = "deploy node-3", Limit = 20 })),
                ("search service, events only", () => search.SearchAsync(new Continuum.Search.SearchRequest { UserId = lastUser, Query = "deploy node-3", Limit = 20, Kinds = ["event"] })),
                ("one lexical match of the user's events (all terms)", () => store.MatchAsync("default", "event", new Continuum.Search.SearchScope(lastUser, null, null, null, null, null), terms, 200, default)),
            };
            foreach (var (name, run) in parts)
            {
                for (var i = 0; i < 3; i++)
                {
                    await run();
                }

                var times = new double[iterations];
                for (var i = 0; i < iterations; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await run();
                    times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }

                Array.Sort(times);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {times[iterations / 2]:F1} | {times[Math.Min(iterations - 1, (int)Math.Ceiling(iterations * 0.95) - 1)]:F1} |"));
            }
        }

        await app.StopAsync();
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
        // A file the OS still holds is left for the temp folder's own cleanup.
    }
}

static async Task<long> GetAsync(HttpClient http, string path)
{
    using var response = await http.GetAsync(path);
    var body = await response.Content.ReadAsByteArrayAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"GET /{path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)[..Math.Min(400, body.Length)]}");
    }

    return body.Length;
}
