using System.Globalization;
using Continuum.Bench;
using Continuum.Server;
using Continuum.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    var help = error == "help";
    if (!help)
    {
        Console.Error.WriteLine($"error: {error}");
    }

    Console.Error.WriteLine(BenchOptions.Usage);
    return help ? 0 : 2;
}

// Bounded in time: every phase is timed, and a watchdog ends the run should anything hang.
var phasesPerLevel = 2 + (options.OneSession ? 1 : 0) + (options.Store ? 1 : 0);
var budget = TimeSpan.FromSeconds((options.Clients.Count * phasesPerLevel * (options.WarmupSeconds + options.Seconds)) + 120);
using var watchdog = new CancellationTokenSource(budget);
watchdog.Token.Register(() =>
{
    Console.Error.WriteLine($"error: the run took longer than its budget of {budget.TotalSeconds:F0} s; stopping.");
    Environment.Exit(4);
});
var cancel = watchdog.Token;

var root = Path.Combine(Path.GetFullPath(options.Directory ?? Path.GetTempPath()), $"continuum-bench-{Guid.NewGuid():N}");
Directory.CreateDirectory(root);
var results = new List<PhaseResult>();
try
{
    var serverArgs = new List<string>
    {
        "--urls", "http://127.0.0.1:0",
        "--Continuum:DataDirectory", Path.Combine(root, "server"),
        "--Continuum:Storage:Sqlite:Synchronous", options.Sync,
        "--Logging:LogLevel:Default", "Warning",
        "--Logging:LogLevel:Microsoft.AspNetCore", "Warning",
    };
    if (!options.Compression)
    {
        serverArgs.AddRange(["--Continuum:Context:CompressionEnabled", "false"]);
    }

    var app = ContinuumServer.Build([.. serverArgs]);
    await using (app)
    {
        await app.StartAsync(cancel);
        var address = new Uri(app.Urls.First());
        Report.Header(options, address, root);

        using var http = new HttpAppendBench(address, options.Clients.Max());
        var store = new StoreAppendBench(app.Services.GetRequiredService<ISessionService>());
        foreach (var clients in options.Clients)
        {
            var rawPath = Path.Combine(root, $"raw-{clients}.db");
            Report.Progress(await PhaseAsync(w => Task.Run(() => RawSqliteBench.Run(rawPath, options.Sync, clients, w), cancel)), results);

            var own = await OpenAsync(clients, i => http.OpenSessionAsync($"bench-http-{clients}-{i}", cancel));
            Report.Progress(await PhaseAsync(w => http.RunAsync("http own session", clients, own, w, cancel)), results);

            if (options.OneSession)
            {
                var one = await OpenAsync(1, i => http.OpenSessionAsync($"bench-http-one-{clients}", cancel));
                Report.Progress(await PhaseAsync(w => http.RunAsync("http one session", clients, one, w, cancel)), results);
            }

            if (options.Store)
            {
                var ids = await OpenAsync(clients, i => store.OpenSessionAsync($"bench-store-{clients}-{i}", cancel));
                Report.Progress(await PhaseAsync(w => store.RunAsync("store in-process", clients, ids, w, cancel)), results);
            }
        }

        await app.StopAsync(CancellationToken.None);
    }
}
finally
{
    SqliteConnection.ClearAllPools();
    try
    {
        Directory.Delete(root, recursive: true);
    }
    catch (IOException ex)
    {
        Console.Error.WriteLine($"warning: could not delete {root}: {ex.Message}");
    }
}

var met = Report.Summary(options, results);
return met || !options.FailOnMiss ? 0 : 3;

// Runs one timed phase and measures the CPU it used in its measured window.
async Task<PhaseResult> PhaseAsync(Func<Window, Task<PhaseResult>> run)
{
    var window = Window.Start(options.WarmupSeconds, options.Seconds);
    var cpu = CpuUse.MeasureAsync(window, cancel);
    var result = await run(window);
    return result with { Cpu = await cpu };
}

static async Task<string[]> OpenAsync(int count, Func<int, Task<string>> open)
{
    var ids = new string[count];
    for (var i = 0; i < count; i++)
    {
        ids[i] = await open(i);
    }

    return ids;
}

/// <summary>The printed figures.</summary>
internal static class Report
{
    private const int TargetClients = 64;
    private const double TargetPerSecond = 15_000;
    private const double TargetP99Ms = 10;
    private const double TargetRatio = 0.5;

    public static void Header(BenchOptions options, Uri address, string root)
    {
        Console.WriteLine("Continuum append benchmark");
        Console.WriteLine($"machine:  {Machine.Describe()}");
        Console.WriteLine($"storage:  {root} ({Machine.FileSystem(root)}), SQLite {RawSqliteBench.Version()}");
        Console.WriteLine(
            $"settings: journal_mode=WAL, synchronous={options.Sync}, {Workload.ContentBytes}-byte messages, {options.WarmupSeconds:0.#} s warm-up + " +
            $"{options.Seconds:0.#} s measured per phase, clients {string.Join(",", options.Clients)}, " +
            $"compression {(options.Compression ? "on (server default)" : "off")}");
        Console.WriteLine($"server:   in process at {address} (HTTP/1.1 over loopback; the clients share the process and its cores)");
        Console.WriteLine();
    }

    public static void Progress(PhaseResult result, List<PhaseResult> results)
    {
        results.Add(result);
        Console.WriteLine(
            $"  {result.Name,-17} {result.Clients,4} clients: {result.PerSecond,9:N0}/s  p50 {result.P50Ms,7:F2} ms  p99 {result.P99Ms,7:F2} ms  " +
            $"max {result.MaxMs,7:F1} ms{Cpu(result)}{(result.Errors > 0 ? $"  {result.Errors} errors, first: {result.FirstError}" : "")}");
    }

    private static string Cpu(PhaseResult result) => result.Cpu is { } cpu
        ? $"  cpu {cpu.ProcessPercent:F0}% of {Environment.ProcessorCount * 100}% (top: {cpu.Top(3)})"
        : "";

    /// <summary>Prints the tables and the targets; true when every target is met.</summary>
    public static bool Summary(BenchOptions options, List<PhaseResult> results)
    {
        PhaseResult? Find(string name, int clients) => results.FirstOrDefault(r => r.Name == name && r.Clients == clients);
        static string Ms(double v) => double.IsNaN(v) ? "-" : v.ToString("F2", CultureInfo.InvariantCulture);

        Console.WriteLine();
        Console.WriteLine("clients | HTTP appends/s | p50 ms | p99 ms | raw inserts/s | ratio (HTTP/raw)");
        Console.WriteLine("------: | -------------: | -----: | -----: | ------------: | ---------------:");
        foreach (var clients in options.Clients)
        {
            var httpResult = Find("http own session", clients)!;
            var raw = Find("raw sqlite", clients)!;
            Console.WriteLine($"{clients,7} | {httpResult.PerSecond,14:N0} | {Ms(httpResult.P50Ms),6} | {Ms(httpResult.P99Ms),6} | {raw.PerSecond,13:N0} | {Ratio(httpResult, raw),16:F2}");
        }

        Console.WriteLine();
        Console.WriteLine($"phase             | clients |       ops/s | mean ms | p50 ms | p99 ms |  max ms | errors | cpu % (of {Environment.ProcessorCount * 100}) | writer thread cpu %");
        Console.WriteLine("----------------- | ------: | ----------: | ------: | -----: | -----: | ------: | -----: | ---------------: | ------------------:");
        foreach (var r in results.OrderBy(r => r.Clients))
        {
            var cpu = r.Cpu is { } c ? c.ProcessPercent.ToString("F0", CultureInfo.InvariantCulture) : "-";
            var writer = r.Cpu is { } w && r.Name != "raw sqlite" ? w.ThreadPercent(CpuUse.WriterThread).ToString("F0", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"{r.Name,-17} | {r.Clients,7} | {r.PerSecond,11:N0} | {Ms(r.MeanMs),7} | {Ms(r.P50Ms),6} | {Ms(r.P99Ms),6} | {r.MaxMs,7:F1} | {r.Errors,6} | {cpu,16} | {writer,19}");
        }

        Console.WriteLine();
        var at = Find("http own session", TargetClients);
        var baseline = Find("raw sqlite", TargetClients);
        if (at is null || baseline is null)
        {
            Console.WriteLine($"targets:  they are set at {TargetClients} clients, which this run did not measure.");
            return true;
        }

        var ratio = Ratio(at, baseline);
        var checks = new (string Text, bool Met)[]
        {
            ($"throughput {at.PerSecond:N0} appends/s >= {TargetPerSecond:N0}", at.PerSecond >= TargetPerSecond),
            ($"p99 {Ms(at.P99Ms)} ms <= {TargetP99Ms:F0} ms", at.P99Ms <= TargetP99Ms),
            ($"ratio {ratio:F2} of the raw insert rate >= {TargetRatio:F1}", ratio >= TargetRatio),
            ($"no failed requests ({at.Errors})", at.Errors == 0),
        };
        Console.WriteLine($"targets at {TargetClients} clients (HTTP, own session each):");
        foreach (var (text, met) in checks)
        {
            Console.WriteLine($"  [{(met ? "MET" : "MISSED")}] {text}");
        }

        return checks.All(c => c.Met);
    }

    private static double Ratio(PhaseResult http, PhaseResult raw) => raw.PerSecond > 0 ? http.PerSecond / raw.PerSecond : double.NaN;
}
