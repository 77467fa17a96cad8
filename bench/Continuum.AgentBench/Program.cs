// Agents benchmark: delivery latency from send to a subscribed WebSocket client with 100 agents connected, and
// broadcast fan-out to 1,000 registered sessions. The server runs in this process on loopback (HTTP + WebSocket).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Continuum.Client;
using Continuum.Server;
using Microsoft.AspNetCore.Builder;

var connected = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
var messages = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
var registered = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
var broadcasts = 30;
var data = Path.Combine(Path.GetTempPath(), $"continuum-agent-bench-{Guid.NewGuid():N}");
Console.WriteLine($"Continuum agents benchmark: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine($"{connected} agents connected over WebSocket, {messages} direct messages sent one at a time over HTTP; broadcasts to {registered} registered sessions; synchronous=FULL");
using var watchdog = new CancellationTokenSource(TimeSpan.FromMinutes(10));
watchdog.Token.Register(() =>
{
    Console.Error.WriteLine("error: the run took longer than 10 minutes; stopping.");
    Environment.Exit(4);
});

var app = ContinuumServer.Build(["--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", data, "--Logging:LogLevel:Default", "Warning"]);
try
{
    await app.StartAsync();
    var address = new Uri(app.Urls.First());
    using var http = new HttpClient { BaseAddress = address };

    // 1. Delivery latency: the message carries its send time; each socket notes when it arrives.
    for (var i = 0; i < connected; i++)
    {
        (await http.PutAsJsonAsync($"api/agents/agent-{i}", new { agentName = $"Agent {i}", agentType = "bench", @namespace = "latency" })).EnsureSuccessStatusCode();
    }

    var latencies = new ConcurrentBag<double>();
    var received = 0;
    var streams = new List<ContinuumStreamClient>();
    var readers = new List<Task>();
    using var stop = new CancellationTokenSource();
    for (var i = 0; i < connected; i++)
    {
        var stream = await ContinuumStreamClient.ConnectAsync(address, [$"inbox:agent-{i}"]);
        streams.Add(stream);
        readers.Add(Task.Run(async () =>
        {
            try
            {
                await foreach (var item in stream.ReadAllAsync(stop.Token))
                {
                    if (item.Type == "message")
                    {
                        var sent = item.Data.GetProperty("data").GetProperty("t").GetInt64();
                        latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                        Interlocked.Increment(ref received);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
            }
        }));
    }

    var random = new Random(7);
    for (var i = 0; i < 200; i++)
    {
        await SendAsync(http, $"agent-{random.Next(connected)}", "warm-up");
    }

    await WaitAsync(() => received >= 200);
    latencies.Clear();
    received = 0;
    var timer = Stopwatch.StartNew();
    for (var i = 0; i < messages; i++)
    {
        await SendAsync(http, $"agent-{random.Next(connected)}", $"m{i}");
    }

    await WaitAsync(() => received >= messages);
    var sendRate = messages / timer.Elapsed.TotalSeconds;
    var sorted = latencies.Order().ToArray();

    // 2. Broadcast fan-out: one message into 1,000 inboxes in one durable transaction, and until all connected sockets have it.
    for (var i = 0; i < registered; i++)
    {
        (await http.PutAsJsonAsync($"api/agents/member-{i}", new { agentName = $"Member {i}", agentType = "bench", @namespace = "fanout" })).EnsureSuccessStatusCode();
    }

    var fanout = new List<double>();
    for (var i = 0; i < broadcasts; i++)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await http.PostAsJsonAsync("api/messages", new { from = "member-0", type = "broadcast", subject = $"b{i}", @namespace = "fanout" });
        response.EnsureSuccessStatusCode();
        fanout.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var recipients = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("recipients").GetInt32();
        if (recipients != registered - 1)
        {
            throw new InvalidOperationException($"The broadcast reached {recipients} inboxes, not {registered - 1}.");
        }
    }

    // 3. A broadcast to the connected agents: until every socket has received it.
    received = 0;
    latencies.Clear();
    var toSockets = new List<double>();
    for (var i = 0; i < broadcasts; i++)
    {
        var before = received;
        var started = Stopwatch.GetTimestamp();
        (await http.PostAsJsonAsync("api/messages", new { from = "bench-sender", type = "broadcast", subject = $"all{i}", @namespace = "latency", data = new { t = started } })).EnsureSuccessStatusCode();
        await WaitAsync(() => received >= before + connected);
        toSockets.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    await stop.CancelAsync();
    await Task.WhenAll(readers);
    foreach (var stream in streams)
    {
        await stream.DisposeAsync();
    }

    fanout.Sort();
    toSockets.Sort();
    Console.WriteLine();
    Console.WriteLine("measure                                                     |  p50 ms |  p99 ms |  max ms");
    Console.WriteLine("----------------------------------------------------------- | ------: | ------: | ------:");
    Console.WriteLine($"direct message: HTTP send -> WebSocket receive ({connected} connected) | {P(sorted, 0.5),7:F2} | {P(sorted, 0.99),7:F2} | {sorted[^1],7:F2}");
    Console.WriteLine($"broadcast to {registered} registered sessions (stored, acknowledged)   | {P([.. fanout], 0.5),7:F2} | {P([.. fanout], 0.99),7:F2} | {fanout[^1],7:F2}");
    Console.WriteLine($"broadcast until all {connected} connected sockets have it             | {P([.. toSockets], 0.5),7:F2} | {P([.. toSockets], 0.99),7:F2} | {toSockets[^1],7:F2}");
    Console.WriteLine();
    Console.WriteLine($"{messages} direct messages delivered at {sendRate:F0}/s (one sender, each send waits for its durable commit)");
    Console.WriteLine($"targets: delivery p99 <= 5 ms: {(P(sorted, 0.99) <= 5 ? "MET" : "MISSED")}; fan-out to {registered} <= 50 ms: {(P([.. fanout], 0.99) <= 50 ? "MET" : "MISSED")} (p99)");
    await app.StopAsync();
}
finally
{
    await app.DisposeAsync();
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(data, recursive: true);
}

static async Task SendAsync(HttpClient http, string to, string subject) =>
    (await http.PostAsJsonAsync("api/messages", new { from = "bench-sender", to, type = "notification", subject, data = new { t = Stopwatch.GetTimestamp() } })).EnsureSuccessStatusCode();

static async Task WaitAsync(Func<bool> done)
{
    var deadline = Stopwatch.StartNew();
    while (!done())
    {
        if (deadline.Elapsed > TimeSpan.FromSeconds(60))
        {
            throw new TimeoutException("Messages were not delivered within 60 s.");
        }

        await Task.Delay(1);
    }
}

static double P(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
