using System.Diagnostics;
using Continuum.Bench;
using Continuum.Testing;

namespace Continuum.LoadBench;

/// <summary>The per-operation figures: throughput, latency and the server's own CPU time per operation.</summary>
internal static class OpsBench
{
    private const double Warmup = 1;

    public static async Task<bool> RunAsync(Options options, string? database, PostgresServer? postgres, CancellationToken cancellationToken)
    {
        await using var server = await ServerProcess.StartAsync(options.Server, database, [], cancellationToken);
        using var api = new Api(server.Address, 128);
        var errors = 0;

        // Compiled and tiered up before anything counts.
        var warm = await OpenAsync(api, 16, "warm", cancellationToken);
        await RunAsync(server, "warm-up turns", warm, Window.Start(0, 3), async (s, c, n) =>
        {
            await api.TurnAsync(s, c, n, cancellationToken);
            return 1;
        }, cancellationToken);

        using var trace = Profiler.Attach(server.Id);
        if (options.Runs("appends"))
        {
        Console.WriteLine("clients | appends/s | p50 ms | p99 ms | server cpu ms/append | raw inserts/s | ratio (appends/raw)");
        Console.WriteLine("------: | --------: | -----: | -----: | -------------------: | ------------: | ------------------:");
        foreach (var clients in new[] { 1, 16, 64 })
        {
            var rawWindow = Window.Start(Warmup, options.Seconds);
            PhaseResult raw;
            if (postgres is null)
            {
                var path = Path.Combine(Path.GetTempPath(), $"continuum-raw-{Guid.NewGuid():N}.db");
                raw = await Task.Run(() => RawSqliteBench.Run(path, "FULL", clients, rawWindow), cancellationToken);
                foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                {
                    File.Delete(file);
                }
            }
            else
            {
                var rawDatabase = await postgres.CreateDatabaseAsync();
                raw = await RawPostgres.RunAsync(rawDatabase, clients, rawWindow, cancellationToken);
                await postgres.DropDatabaseAsync(rawDatabase);
            }

            var sessions = await OpenAsync(api, clients, $"append-{clients}", cancellationToken);
            var (appends, cpu) = await RunAsync(server, "appends", sessions, Window.Start(Warmup, options.Seconds),
                async (s, c, n) =>
                {
                    await api.AppendAsync(s, "user", Workload.Content(c), cancellationToken);
                    return 1;
                }, cancellationToken);
            errors += appends.Errors + raw.Errors;
            Console.WriteLine($"{clients,7} | {appends.PerSecond,9:N0} | {appends.P50Ms,6:F2} | {appends.P99Ms,6:F2} | {cpu,20:F3} | {raw.PerSecond,13:N0} | {appends.PerSecond / raw.PerSecond,18:F2}{Failures(appends)}");
        }

        Console.WriteLine();
        }

        if (options.Runs("turns"))
        {
        Console.WriteLine("clients | turns/s | p50 ms | p99 ms | server cpu ms/turn | context bytes");
        Console.WriteLine("------: | ------: | -----: | -----: | -----------------: | ------------:");
        foreach (var clients in new[] { 1, 64 })
        {
            var sessions = await OpenAsync(api, clients, $"turn-{clients}", cancellationToken);
            var bytes = 0;
            var (turns, cpu) = await RunAsync(server, "turns", sessions, Window.Start(Warmup, options.Seconds),
                async (s, c, n) =>
                {
                    bytes = await api.TurnAsync(s, c, n, cancellationToken);
                    return 1;
                }, cancellationToken);
            errors += turns.Errors;
            Console.WriteLine($"{clients,7} | {turns.PerSecond,7:N0} | {turns.P50Ms,6:F2} | {turns.P99Ms,6:F2} | {cpu,18:F3} | {bytes,13:N0}{Failures(turns)}");
        }

        Console.WriteLine();
        }

        var (thread, userId) = await OpenAsync(api, $"thread-{Guid.NewGuid():N}", cancellationToken);
        for (var turn = 0; turn < options.ThreadLength / 2; turn += 50)
        {
            await api.AppendBatchAsync(thread, Enumerable.Range(turn, Math.Min(50, (options.ThreadLength / 2) - turn))
                .SelectMany(t => new[] { ("user", Chat.User(0, t)), ("assistant", Chat.Reply(0, t)) }), cancellationToken);
        }

        var whole = await api.AnswersAsync($"api/sessions/{thread}/events?after=0&limit={options.ThreadLength}", cancellationToken);
        foreach (var pageSize in !options.Runs("read") ? [] : whole ? new[] { 1000, options.ThreadLength } : [1000])
        {
            var reads = new List<long>();
            var count = 0;
            var cpuBefore = server.Cpu;
            for (var i = 0; i < 40; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var events = await api.ReadAllAsync(thread, pageSize, cancellationToken);
                reads.Add(Stopwatch.GetTimestamp() - started);
                count = events.Count;
                if (count != options.ThreadLength || events.Select((e, k) => e.Seq == k + 1).Any(ok => !ok))
                {
                    errors++;
                    Console.WriteLine($"  error: the thread read back {count} events, not {options.ThreadLength} in order");
                }
            }

            var cpu = (server.Cpu - cpuBefore).TotalMilliseconds / 40;
            Console.WriteLine($"thread read, {count:N0} events, pages of {pageSize,5}: p50 {Ms(reads, 0.5),6:F2} ms  p99 {Ms(reads, 0.99),6:F2} ms  server cpu {cpu:F2} ms/read (client-side parse included)");
        }

        if (options.Runs("memory"))
        {
        // A memory add and an event append, one client, taken in turn so the machine's noise falls on both.
        var (memorySession, memoryUser) = await OpenAsync(api, $"memory-{Guid.NewGuid():N}", cancellationToken);
        var adds = new List<long>();
        var appended = new List<long>();
        for (var i = 0; i < 400; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await api.AddMemoryAsync(memoryUser, Chat.Note(i), cancellationToken);
            var between = Stopwatch.GetTimestamp();
            await api.AppendAsync(memorySession, "user", Chat.User(1, i), cancellationToken);
            var ended = Stopwatch.GetTimestamp();
            if (i >= 50)
            {
                adds.Add(between - started);
                appended.Add(ended - between);
            }
        }

        Console.WriteLine($"memory add:   p50 {Ms(adds, 0.5),6:F2} ms  p99 {Ms(adds, 0.99),6:F2} ms; event append in turn: p50 {Ms(appended, 0.5),6:F2} ms  p99 {Ms(appended, 0.99),6:F2} ms; ratio of p50s {Ms(adds, 0.5) / Ms(appended, 0.5):F2}");

        }

        if (options.Runs("search"))
        {
        string[] queries = ["what did Alice say about the trip", "hotel booked nights", "budget train flight", "conference registration", "dinner second evening", "Osaka spring"];
        var searches = new List<long>();
        var found = 0;
        for (var i = 0; i < 300; i++)
        {
            var started = Stopwatch.GetTimestamp();
            found += await api.SearchAsync(userId, queries[i % queries.Length], cancellationToken);
            if (i >= 30)
            {
                searches.Add(Stopwatch.GetTimestamp() - started);
            }
        }

        Console.WriteLine($"search over {options.ThreadLength:N0} events: p50 {Ms(searches, 0.5),6:F2} ms  p99 {Ms(searches, 0.99),6:F2} ms  ({found / 300.0:F1} results a query)");
        }

        return errors == 0;
    }

    private static string Failures(PhaseResult r) => r.Errors > 0 ? $"  ({r.Errors} errors, first: {r.FirstError})" : "";

    private static double Ms(List<long> ticks, double q)
    {
        var sorted = ticks.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }

    private static async Task<string[]> OpenAsync(Api api, int count, string prefix, CancellationToken cancellationToken)
    {
        var ids = new string[count];
        var tag = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < count; i++)
        {
            ids[i] = (await api.OpenSessionAsync($"{prefix}-{tag}-{i}", cancellationToken)).SessionId;
        }

        return ids;
    }

    private static Task<(string SessionId, string UserId)> OpenAsync(Api api, string user, CancellationToken cancellationToken) =>
        api.OpenSessionAsync(user, cancellationToken);

    // One loop a session until the window closes; the server's CPU is read at the window's measured start and end.
    private static async Task<(PhaseResult Result, double CpuMsPerOp)> RunAsync(
        ServerProcess server, string name, string[] sessions, Window window, Func<string, int, int, Task<int>> operation, CancellationToken cancellationToken)
    {
        var logs = sessions.Select(_ => new ClientLog()).ToArray();
        var cpuAt = Task.Run(async () =>
        {
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), window.MeasureStart) is var w && w > TimeSpan.Zero ? w : TimeSpan.Zero, cancellationToken);
            var before = server.Cpu;
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), window.End) is var e && e > TimeSpan.Zero ? e : TimeSpan.Zero, cancellationToken);
            return server.Cpu - before;
        }, cancellationToken);
        await Task.WhenAll(sessions.Select((session, client) => Task.Run(async () =>
        {
            for (var n = 0; window.Open(Stopwatch.GetTimestamp()); n++)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await operation(session, client, n);
                    var completed = Stopwatch.GetTimestamp();
                    if (window.Counts(completed))
                    {
                        logs[client].Ticks.Add(completed - started);
                    }
                }
                catch (Exception e) when (e is BenchFailure or HttpRequestException or TaskCanceledException)
                {
                    logs[client].Fail(e.Message);
                }
            }
        }, cancellationToken)));
        var result = PhaseResult.From(name, sessions.Length, window, logs);
        var cpu = await cpuAt;
        return (result, result.Count > 0 ? cpu.TotalMilliseconds / result.Count : double.NaN);
    }
}
