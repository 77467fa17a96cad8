// Read benchmark over loopback HTTP: what a client downloads and waits for to load a session, as the whole
// context, as only the parts it asks for (?include=), and as the raw events. Real server, real SQLite file.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Continuum.Server;
using Microsoft.AspNetCore.Builder;

var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
var root = Path.Combine(Path.GetTempPath(), $"continuum-readbench-{Guid.NewGuid():N}");
Console.WriteLine($"Continuum read benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine($"one session of {messages} messages (about 40 tokens each, token limit 100,000 so none is folded); {iterations} reads each, after 300 warm-up reads");
Console.WriteLine();

var app = ContinuumServer.Build(["--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", root, "--Logging:LogLevel:Default", "Warning"]);
try
{
    await using (app)
    {
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First() + "/") };
        var opened = await http.PostAsJsonAsync("api/sessions", new { @interface = "api", interfaceId = "read-bench", mode = "new", tokenLimit = 100_000 });
        var id = (string)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var events = Enumerable.Range(0, messages).Select(i => new
        {
            role = i % 2 == 0 ? "user" : "assistant",
            content = $"Message {i}: the deploy of service api-{i % 7} on host node-{i % 13} finished in {i % 60} s; latency p99 is {i % 90} ms after the change.",
        }).ToArray();
        (await http.PostAsJsonAsync($"api/sessions/{id}/events:batch", new { events })).EnsureSuccessStatusCode();

        var paths = new (string Name, string Path)[]
        {
            ("context, whole", $"api/sessions/{id}/context"),
            ("context, ?include=messages", $"api/sessions/{id}/context?include=messages"),
            ("context, ?include=messages,tokens", $"api/sessions/{id}/context?include=messages,tokens"),
            ("events, one page", $"api/sessions/{id}/events?after=0&limit=1000"),
        };
        Console.WriteLine("| read | bytes | p50 ms | p99 ms |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        var results = new List<(string Name, long Bytes, double P50, double P99)>();
        foreach (var (name, path) in paths)
        {
            long bytes = 0;
            for (var i = 0; i < 300; i++)
            {
                bytes = (await http.GetByteArrayAsync(path)).Length;
            }

            var times = new double[iterations];
            for (var i = 0; i < iterations; i++)
            {
                var started = Stopwatch.GetTimestamp();
                bytes = (await http.GetByteArrayAsync(path)).Length;
                times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(times);
            results.Add((name, bytes, times[iterations / 2], times[(int)(iterations * 0.99)]));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {bytes:N0} | {times[iterations / 2]:F3} | {times[(int)(iterations * 0.99)]:F3} |"));
        }

        Console.WriteLine();
        var whole = results[0];
        foreach (var r in results.Skip(1))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name}: {(double)r.Bytes / whole.Bytes:F2} of the whole context's bytes, p50 {r.P50 / whole.P50:F2} of its time"));
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
        // Left for the temp folder's own cleanup.
    }
}
