using System.Diagnostics;

namespace Continuum.Bench;

/// <summary>CPU used during a phase's measured window, per thread name (Linux: /proc/self/task/*/stat).</summary>
internal sealed record CpuUse(double WindowSeconds, IReadOnlyDictionary<string, double> SecondsByThread)
{
    /// <summary>The name Linux gives the store's writer thread (a thread's name is cut to 15 characters).</summary>
    public const string WriterThread = "continuum-sqlit";

    /// <summary>The entry under which the CPU of every PostgreSQL process on the machine is counted.</summary>
    public const string Postgres = "postgres (all processes)";

    public double ProcessPercent => SecondsByThread.Where(p => p.Key != Postgres).Sum(p => p.Value) / WindowSeconds * 100;

    public double ThreadPercent(string name) => SecondsByThread.TryGetValue(name, out var s) ? s / WindowSeconds * 100 : 0;

    /// <summary>The busiest thread groups, for the report.</summary>
    public string Top(int count) => string.Join(", ", SecondsByThread
        .OrderByDescending(p => p.Value)
        .Take(count)
        .Select(p => $"{p.Key} {p.Value / WindowSeconds * 100:F0}%"));

    /// <summary>Samples at the window's measured start and at its end; null where /proc is not there.</summary>
    public static async Task<CpuUse?> MeasureAsync(Window window, CancellationToken cancellationToken)
    {
        if (!Directory.Exists("/proc/self/task"))
        {
            return null;
        }

        await Until(window.MeasureStart, cancellationToken);
        var before = Sample();
        var postgresBefore = PostgresTicks();
        await Until(window.End, cancellationToken);
        var after = Sample();
        var used = new Dictionary<string, double>(StringComparer.Ordinal);
        if (PostgresTicks() - postgresBefore is var postgres and > 0)
        {
            used[Postgres] = postgres / 100.0;
        }

        foreach (var (tid, (name, ticks)) in after)
        {
            var start = before.TryGetValue(tid, out var b) ? b.Ticks : 0;
            used[name] = used.GetValueOrDefault(name) + ((ticks - start) / 100.0);
        }

        return new CpuUse(window.Seconds, used);
    }

    private static async Task Until(long timestamp, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }

    // utime + stime in clock ticks (USER_HZ, 100 on Linux) by thread id, with the thread's name.
    private static Dictionary<int, (string Name, long Ticks)> Sample()
    {
        var threads = new Dictionary<int, (string, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (Read(dir) is { } thread)
            {
                threads[int.Parse(Path.GetFileName(dir), System.Globalization.CultureInfo.InvariantCulture)] = thread;
            }
        }

        return threads;
    }

    // Every PostgreSQL process's CPU so far (a backend that ended meanwhile is not counted: keep connections pooled).
    private static long PostgresTicks() => Directory.EnumerateDirectories("/proc")
        .Where(d => char.IsAsciiDigit(Path.GetFileName(d)[0]))
        .Select(Read)
        .Where(p => p is { Name: "postgres" })
        .Sum(p => p!.Value.Ticks);

    private static (string Name, long Ticks)? Read(string dir)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');

            // After the name: state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12.
            var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            return (stat[(open + 1)..close], ticks);
        }
        catch (IOException)
        {
            // The thread or process ended meanwhile.
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
