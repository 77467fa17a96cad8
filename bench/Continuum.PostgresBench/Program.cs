// PostgreSQL append benchmark: appends/s and p50/p99 over HTTP at 1, 16 and 64 clients on a throw-away PostgreSQL
// cluster (synchronous_commit on, fsync on: every acknowledged append is durable), the raw rate of single-row
// INSERTs with Npgsql at the same concurrency and durability, their ratio, and two nodes against one node.
// Usage: dotnet run -c Release --project bench/Continuum.PostgresBench -- [--seconds N] [--clients 1,16,64] [--writers N]
using System.Diagnostics;
using System.Globalization;
using Continuum.Bench;
using Continuum.Server;
using Continuum.Testing;
using Microsoft.AspNetCore.Builder;
using Npgsql;

var seconds = 5.0;
var warmup = 1.0;
int[] levels = [1, 16, 64];
int? writers = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s) && s > 0:
            seconds = s;
            i++;
            break;
        case "--clients" when i + 1 < args.Length:
            levels = [.. args[++i].Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture))];
            break;
        case "--writers" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var w) && w > 0:
            writers = w;
            i++;
            break;
        default:
            Console.Error.WriteLine($"error: unknown argument '{args[i]}'. Usage: [--seconds N] [--clients 1,16,64] [--writers N]");
            return 2;
    }
}

using var watchdog = new CancellationTokenSource(TimeSpan.FromSeconds((levels.Length * 3 * (seconds + warmup)) + 300));
watchdog.Token.Register(() =>
{
    Console.Error.WriteLine("error: the run took longer than its budget; stopping.");
    Environment.Exit(4);
});
var cancel = watchdog.Token;

await using var postgres = new PostgresServer();
await postgres.InitializeAsync();
Console.WriteLine("Continuum PostgreSQL append benchmark");
Console.WriteLine($"machine:  {Machine.Describe()}");
Console.WriteLine($"postgres: {await ScalarAsync(postgres.ConnectionString, "SELECT version()")}; synchronous_commit={await ScalarAsync(postgres.ConnectionString, "SHOW synchronous_commit")}, fsync={await ScalarAsync(postgres.ConnectionString, "SHOW fsync")}");
Console.WriteLine($"settings: {Workload.ContentBytes}-byte messages, {warmup:0.#} s warm-up + {seconds:0.#} s measured per phase, clients {string.Join(",", levels)}; the server nodes run in this process; append writers {writers?.ToString(CultureInfo.InvariantCulture) ?? "default"}");
Console.WriteLine();

var rows = new List<(int Clients, PhaseResult Http, PhaseResult Raw)>();
var database = await postgres.CreateDatabaseAsync();
var one = await StartNodeAsync(database, writers);
using (var http = new HttpAppendBench(new Uri(one.Urls.First()), levels.Max()))
{
    // The server's code is compiled and tiered up before anything is measured.
    var warm = await OpenAsync(http, 16, "warm-up");
    Print(await http.RunAsync("jit warm-up", 16, warm, Window.Start(0, 3), cancel));

    foreach (var clients in levels)
    {
        var rawDatabase = await postgres.CreateDatabaseAsync();
        var raw = await RawPostgres.RunAsync(rawDatabase, clients, Window.Start(warmup, seconds), cancel);
        Print(raw);
        await postgres.DropDatabaseAsync(rawDatabase);

        var sessions = await OpenAsync(http, clients, $"pg-{clients}");
        var window = Window.Start(warmup, seconds);
        var cpu = CpuUse.MeasureAsync(window, cancel);
        var result = await http.RunAsync("http own session", clients, sessions, window, cancel);
        Print(result);
        if (await cpu is { } used)
        {
            Console.WriteLine($"    cpu: this process (server and clients) {used.ProcessPercent:F0}%, PostgreSQL {used.ThreadPercent(CpuUse.Postgres):F0}% of {Environment.ProcessorCount * 100}%; busiest threads: {used.Top(4)}");
        }
        rows.Add((clients, result, raw));
        if (one.Services.GetService(typeof(Continuum.Sessions.IAppendGroupReport)) is Continuum.Sessions.IAppendGroupReport report)
        {
            var groups = report.AppendGroups;
            Console.WriteLine($"    group commits so far: {groups.Groups:N0} groups, {groups.Grouped:N0} appends, {groups.AverageGroupSize:F1} a group on average, {groups.HandedBack:N0} handed back");
        }
    }
}

Console.WriteLine();
Console.WriteLine("clients | HTTP appends/s | p50 ms | p99 ms | raw inserts/s | ratio (HTTP/raw)");
Console.WriteLine("------: | -------------: | -----: | -----: | ------------: | ---------------:");
foreach (var (clients, http, raw) in rows)
{
    Console.WriteLine($"{clients,7} | {http.PerSecond,14:N0} | {http.P50Ms,6:F2} | {http.P99Ms,6:F2} | {raw.PerSecond,13:N0} | {http.PerSecond / raw.PerSecond,16:F2}");
}

// Two nodes on the same database, the clients split between them, against the one node above.
var top = levels.Max();
var two = await StartNodeAsync(database, writers);
PhaseResult pair;
using (var first = new HttpAppendBench(new Uri(one.Urls.First()), top))
using (var second = new HttpAppendBench(new Uri(two.Urls.First()), top))
{
    var half = top / 2;
    var firstSessions = await OpenAsync(first, half, "pair-a");
    var secondSessions = await OpenAsync(second, top - half, "pair-b");
    var window = Window.Start(warmup, seconds);
    var results = await Task.WhenAll(first.RunAsync("node a", half, firstSessions, window, cancel), second.RunAsync("node b", top - half, secondSessions, window, cancel));
    pair = new PhaseResult("two nodes", top, results.Sum(r => r.Count), window.Seconds, double.NaN, Math.Max(results[0].P50Ms, results[1].P50Ms),
        Math.Max(results[0].P99Ms, results[1].P99Ms), Math.Max(results[0].MaxMs, results[1].MaxMs), results.Sum(r => r.Errors), results.Select(r => r.FirstError).FirstOrDefault(e => e is not null));
}

Print(pair);
foreach (var node in new[] { two, one })
{
    await node.StopAsync(CancellationToken.None);
    await node.DisposeAsync();
}

var at = rows.FirstOrDefault(r => r.Clients == 64);
Console.WriteLine();
Console.WriteLine($"two nodes against one at {top} clients: {pair.PerSecond:N0}/s against {rows.First(r => r.Clients == top).Http.PerSecond:N0}/s, ratio {pair.PerSecond / rows.First(r => r.Clients == top).Http.PerSecond:F2} (both nodes share this machine's {Environment.ProcessorCount} cores with the database and the clients)");
if (at.Http is not null)
{
    var ratio = at.Http.PerSecond / at.Raw.PerSecond;
    Console.WriteLine("targets at 64 clients:");
    Console.WriteLine($"  [{(ratio >= 1.0 ? "MET" : "MISSED")}] ratio {ratio:F2} of the raw insert rate >= 1.0");
    Console.WriteLine($"  [{(at.Http.P99Ms <= 15 ? "MET" : "MISSED")}] p99 {at.Http.P99Ms:F2} ms <= 15 ms");
    Console.WriteLine($"  [{(at.Http.Errors == 0 ? "MET" : "MISSED")}] no failed requests ({at.Http.Errors})");
}

return 0;

static void Print(PhaseResult r) =>
    Console.WriteLine($"  {r.Name,-17} {r.Clients,4} clients: {r.PerSecond,9:N0}/s  p50 {r.P50Ms,7:F2} ms  p99 {r.P99Ms,7:F2} ms  max {r.MaxMs,7:F1} ms{(r.Errors > 0 ? $"  {r.Errors} errors, first: {r.FirstError}" : "")}");

static async Task<WebApplication> StartNodeAsync(string database, int? writers)
{
    string[] tuning = writers is { } w ? ["--Continuum:Storage:Postgres:AppendWriters", w.ToString(CultureInfo.InvariantCulture)] : [];
    var app = ContinuumServer.Build([
        "--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", Path.Combine(Path.GetTempPath(), "continuum-pgbench-" + Guid.NewGuid().ToString("N")),
        "--Continuum:Storage:Provider", "postgres", "--Continuum:Storage:Postgres:ConnectionString", database,
        "--Logging:LogLevel:Default", "Warning", .. tuning]);
    await app.StartAsync();
    return app;
}

static async Task<string[]> OpenAsync(HttpAppendBench http, int count, string prefix)
{
    var ids = new string[count];
    for (var i = 0; i < count; i++)
    {
        ids[i] = await http.OpenSessionAsync($"{prefix}-{i}", CancellationToken.None);
    }

    return ids;
}

static async Task<string> ScalarAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    return (await command.ExecuteScalarAsync())?.ToString()?.Split(" on ")[0] ?? "";
}
