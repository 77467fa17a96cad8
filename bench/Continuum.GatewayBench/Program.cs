// Gateway benchmark: the gateway's own overhead. The same 0 ms fake upstream (a fixed chat completion, or a fixed
// stream of pieces) is called directly and through Continuum's /v1/chat/completions (session resumed by
// X-Continuum-User, context injected, the exchange recorded on SQLite with synchronous=FULL), at 1 and 64
// concurrent clients; the figures are p50 and p99 per call of each, the difference, and the time to the first
// streamed piece both ways. Each gateway row is followed by where its calls' time went (the gateway's activities,
// mean and p50 per call) and the process's CPU time per call through the gateway less the same per direct call.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Continuum.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
int[] concurrency = args.Length > 1 ? [.. args[1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] : [1, 64];
Console.WriteLine($"Continuum gateway benchmark: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine($"{calls} calls per row after {calls / 4} warm-up calls; 0 ms fake upstream on loopback; SQLite synchronous=FULL");
Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine();

// The gateway's stages, as its activities report them (in process: the server runs in this process).
var stages = new ConcurrentDictionary<string, ConcurrentBag<double>>(StringComparer.Ordinal);
var collecting = false;
using var listener = new ActivityListener
{
    ShouldListenTo = source => source.Name == "Continuum.Gateway",
    Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
    ActivityStopped = activity =>
    {
        if (Volatile.Read(ref collecting))
        {
            stages.GetOrAdd(activity.OperationName, _ => []).Add(activity.Duration.TotalMilliseconds);
        }
    },
};
ActivitySource.AddActivityListener(listener);
var breakdowns = new List<string>();

await using var upstream = await FakeUpstream.StartAsync();
var data = Path.Combine(Path.GetTempPath(), "continuum-gwbench-" + Guid.NewGuid().ToString("N"));
var app = ContinuumServer.Build(["--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", data,
    "--Continuum:Models:Chat:Endpoint", upstream.Endpoint, "--Continuum:Models:Chat:Model", "fake-model",
    "--Continuum:Models:Embeddings:Provider", "none"],
    b => b.Logging.SetMinimumLevel(LogLevel.Warning));
await app.StartAsync();
var gateway = app.Urls.Single() + "/v1/chat/completions";
var direct = upstream.Endpoint + "/chat/completions";
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) });

Console.WriteLine("| path | clients | direct p50 ms | gateway p50 ms | added p50 ms | direct p99 ms | gateway p99 ms | added p99 ms |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var stream in new[] { false, true })
{
    foreach (var clients in concurrency)
    {
        await RunAsync(direct, clients, calls / 4, stream, user: null);
        await RunAsync(gateway, clients, calls / 4, stream, user: "warm");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var d = await RunAsync(direct, clients, calls, stream, user: null);
        var directCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        stages.Clear();
        Volatile.Write(ref collecting, true);
        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var g = await RunAsync(gateway, clients, calls, stream, user: "bench");
        var gatewayCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Volatile.Write(ref collecting, false);
        breakdowns.Add(Breakdown($"{(stream ? "stream" : "JSON")}, {clients} client{(clients == 1 ? "" : "s")}", (gatewayCpu - directCpu).TotalMilliseconds / calls));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {(stream ? "stream, whole answer" : "JSON")} | {clients} | {d.Whole.P50:F3} | {g.Whole.P50:F3} | {g.Whole.P50 - d.Whole.P50:F3} | {d.Whole.P99:F3} | {g.Whole.P99:F3} | {g.Whole.P99 - d.Whole.P99:F3} |"));
        if (stream)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| stream, first piece | {clients} | {d.First.P50:F3} | {g.First.P50:F3} | {g.First.P50 - d.First.P50:F3} | {d.First.P99:F3} | {g.First.P99:F3} | {g.First.P99 - d.First.P99:F3} |"));
        }
    }
}

Console.WriteLine();
Console.WriteLine("Where a gateway call's time goes (mean and p50 per call of each stage; the record runs after the answer is delivered):");
Console.WriteLine();
Console.WriteLine("| run | gateway CPU per call ms | " + string.Join(" | ", StageNames) + " |");
Console.WriteLine("| --- | ---: | " + string.Join(" | ", StageNames.Select(_ => "---:")) + " |");
foreach (var line in breakdowns)
{
    Console.WriteLine(line);
}

Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
await app.StopAsync();
await app.DisposeAsync();
Directory.Delete(data, recursive: true);

string Breakdown(string run, double cpuPerCall)
{
    var cells = StageNames.Select(name => stages.TryGetValue(name, out var bag) && !bag.IsEmpty
        ? string.Create(CultureInfo.InvariantCulture, $"{bag.Average():F3} / {Stats.Of([.. bag]).P50:F3}")
        : "-");
    return string.Create(CultureInfo.InvariantCulture, $"| {run} | {cpuPerCall:F3} | {string.Join(" | ", cells)} |");
}

async Task<(Stats Whole, Stats First)> RunAsync(string url, int clients, int total, bool stream, string? user)
{
    var whole = new double[total];
    var first = new double[total];
    var next = -1;
    var workers = Enumerable.Range(0, clients).Select(async worker =>
    {
        // Each client has its own user and session, and sends its whole conversation on every call as OpenAI
        // clients do; it starts a new conversation (on the same session) every five turns.
        var history = new List<string>();
        int i;
        while ((i = Interlocked.Increment(ref next)) < total)
        {
            var question = $"question {i} from client {worker}: what did we find about the gpu-3 temperature?";
            var messages = new StringBuilder("[");
            if (history.Count == 10)
            {
                history.Clear();
            }

            foreach (var turn in history)
            {
                messages.Append(turn).Append(',');
            }

            messages.Append("{\"role\":\"user\",\"content\":\"").Append(question).Append("\"}]");
            var body = $"{{\"model\":\"fake-model\",\"stream\":{(stream ? "true" : "false")},\"messages\":{messages}}}";
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (user is not null)
            {
                request.Headers.Add("X-Continuum-User", $"{user}-{clients}-{worker}");
            }

            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var content = await response.Content.ReadAsStreamAsync();
            if (stream)
            {
                using var reader = new StreamReader(content);
                var seenFirst = false;
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (!seenFirst && line.Contains("\"content\":\"Fake", StringComparison.Ordinal))
                    {
                        first[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        seenFirst = true;
                    }

                    if (line == "data: [DONE]")
                    {
                        break;
                    }
                }
            }
            else
            {
                await content.CopyToAsync(Stream.Null);
            }

            whole[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            history.Add($"{{\"role\":\"user\",\"content\":\"{question}\"}}");
            history.Add("{\"role\":\"assistant\",\"content\":\"Fake answer.\"}");
        }
    });
    await Task.WhenAll(workers);
    return (Stats.Of(whole), Stats.Of(first));
}

internal static partial class Program
{
    // The gateway's activities, in the order a call goes through them.
    private static readonly string[] StageNames = ["gateway.read", "gateway.session", "gateway.context", "gateway.inject", "gateway.upstream", "gateway.relay", "gateway.record"];
}

internal readonly record struct Stats(double P50, double P99)
{
    public static Stats Of(double[] values)
    {
        var sorted = values.Order().ToArray();
        return new Stats(sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)]);
    }
}

// A 0 ms OpenAI-compatible upstream: a fixed answer, JSON or three streamed pieces and [DONE].
internal sealed class FakeUpstream : IAsyncDisposable
{
    private static readonly byte[] Completion = Encoding.UTF8.GetBytes("""{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"fake-model","choices":[{"index":0,"message":{"role":"assistant","content":"Fake answer."},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13}}""");
    private static readonly byte[][] Pieces =
    [
        Encoding.UTF8.GetBytes("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"fake-model\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Fake\"},\"finish_reason\":null}]}\n\n"),
        Encoding.UTF8.GetBytes("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"fake-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" answer.\"},\"finish_reason\":null}]}\n\n"),
        Encoding.UTF8.GetBytes("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"fake-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"),
        Encoding.UTF8.GetBytes("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"fake-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3,\"total_tokens\":13}}\n\n"),
        "data: [DONE]\n\n"u8.ToArray(),
    ];

    private readonly WebApplication _app;

    private FakeUpstream(WebApplication app) => _app = app;

    public string Endpoint { get; private set; } = "";

    public static async Task<FakeUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var streaming = body.GetBuffer().AsSpan(0, (int)body.Length).IndexOf("\"stream\":true"u8) >= 0;
            if (!streaming)
            {
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(Completion);
                return;
            }

            context.Response.ContentType = "text/event-stream";
            foreach (var piece in Pieces)
            {
                await context.Response.Body.WriteAsync(piece);
                await context.Response.Body.FlushAsync();
            }
        });
        await app.StartAsync();
        var upstream = new FakeUpstream(app) { Endpoint = app.Urls.First() + "/v1" };
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
