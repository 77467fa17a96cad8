// Throughput and load benchmark against a Continuum server in its own process on 127.0.0.1 (so its CPU time is its own):
//   ops:  appends/s and p50/p99 at 1, 16, 64 clients against the raw insert rate, server CPU per append; chat turns
//         (a user message and its reply appended, then the context loaded) at 1 and 64 clients with server CPU per turn;
//         a 5,000-event thread read; memory add against an event append; search; on SQLite (synchronous=FULL) and PostgreSQL.
//   load: N concurrent clients (1,000 by default), each on its own session with the stream connected, chat turns for a
//         while; then every session is read back and checked (no error, no lost or reordered event), RSS sampled.
// Usage: dotnet run -c Release --project bench/Continuum.LoadBench -- ops|load [--store sqlite,postgres] [--seconds N]
//        [--clients N] [--server path/to/Continuum.Server.dll] [--thread N]
using System.Globalization;
using Continuum.Bench;
using Continuum.LoadBench;
using Continuum.Testing;

var mode = args.Length > 0 ? args[0] : "";
if (mode is not ("ops" or "load"))
{
    Console.Error.WriteLine(Options.Usage);
    return mode is "-h" or "--help" ? 0 : 2;
}

Options options;
try
{
    options = Options.Parse(mode, args[1..]);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

using var watchdog = new CancellationTokenSource(options.Budget);
watchdog.Token.Register(() =>
{
    Console.Error.WriteLine($"error: the run took longer than its budget of {options.Budget.TotalSeconds:F0} s; stopping.");
    Environment.Exit(4);
});

Console.WriteLine($"Continuum {mode} benchmark");
Console.WriteLine($"machine:  {Machine.Describe()}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine($"server:   {options.Server} (own process, 127.0.0.1)");
Console.WriteLine();

PostgresServer? postgres = null;
try
{
    var ok = true;
    foreach (var store in options.Stores)
    {
        string? database = null;
        if (store == "postgres")
        {
            if (postgres is null)
            {
                postgres = new PostgresServer();
                await postgres.InitializeAsync();
            }

            database = await postgres.CreateDatabaseAsync();
        }

        Console.WriteLine(store == "postgres" ? "== PostgreSQL (synchronous_commit=on, fsync=on)" : "== SQLite (synchronous=FULL, WAL)");
        ok &= mode == "ops"
            ? await OpsBench.RunAsync(options, database, postgres, watchdog.Token)
            : await LoadTest.RunAsync(options, database, watchdog.Token);
        Console.WriteLine();
    }

    return ok ? 0 : 3;
}
finally
{
    if (postgres is not null)
    {
        await postgres.DisposeAsync();
    }
}

/// <summary>What to run.</summary>
internal sealed record Options(string Mode, IReadOnlyList<string> Stores, double Seconds, int Clients, int ThreadLength, string Server, IReadOnlyList<string> Phases)
{
    /// <summary>True when <paramref name="phase"/> (appends, turns, read, memory, search) is to run.</summary>
    public bool Runs(string phase) => Phases.Contains(phase);

    public const string Usage = "usage: Continuum.LoadBench ops|load [--store sqlite,postgres] [--seconds N] [--clients N (load)] [--thread N (ops)] [--phases appends,turns,read,memory,search (ops)] [--server Continuum.Server.dll]";

    public TimeSpan Budget => Mode == "ops"
        ? TimeSpan.FromSeconds((Stores.Count * ((8 * (Seconds + 1)) + 240)) + 120)
        : TimeSpan.FromSeconds((Stores.Count * ((Seconds * 2) + 300)) + 120);

    public static Options Parse(string mode, string[] args)
    {
        IReadOnlyList<string> stores = ["sqlite", "postgres"];
        var seconds = mode == "ops" ? 5.0 : 60.0;
        var clients = 1000;
        var thread = 5000;
        var server = Path.Combine(AppContext.BaseDirectory, "Continuum.Server.dll");
        IReadOnlyList<string> phases = ["appends", "turns", "read", "memory", "search"];
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new FormatException($"'{args[i]}' needs a value.");
            switch (args[i])
            {
                case "--store":
                    stores = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    if (stores.Any(s => s is not ("sqlite" or "postgres")))
                    {
                        throw new FormatException("--store takes sqlite, postgres or both.");
                    }

                    break;
                case "--seconds":
                    seconds = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--clients":
                    clients = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--thread":
                    thread = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--phases":
                    phases = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    break;
                case "--server":
                    server = Path.GetFullPath(value);
                    break;
                default:
                    throw new FormatException($"unknown argument '{args[i]}'.");
            }

            i++;
        }

        if (seconds <= 0 || clients <= 0 || thread <= 0)
        {
            throw new FormatException("--seconds, --clients and --thread must be positive.");
        }

        if (!File.Exists(server))
        {
            throw new FormatException($"no server at {server}.");
        }

        return new Options(mode, stores, seconds, clients, thread, server, phases);
    }
}
