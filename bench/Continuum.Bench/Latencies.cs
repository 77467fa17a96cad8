using System.Diagnostics;

namespace Continuum.Bench;

/// <summary>
/// The time window of one phase: clients run from the start until <see cref="End"/>; only requests that complete
/// after <see cref="MeasureStart"/> (the warm-up) and by <see cref="End"/> count.
/// </summary>
internal readonly record struct Window(long MeasureStart, long End)
{
    public static Window Start(double warmupSeconds, double seconds)
    {
        var now = Stopwatch.GetTimestamp();
        var measureStart = now + (long)(warmupSeconds * Stopwatch.Frequency);
        return new Window(measureStart, measureStart + (long)(seconds * Stopwatch.Frequency));
    }

    public double Seconds => (End - MeasureStart) / (double)Stopwatch.Frequency;

    public bool Open(long now) => now < End;

    public bool Counts(long completedAt) => completedAt >= MeasureStart && completedAt <= End;
}

/// <summary>One client's latencies (Stopwatch ticks) and failures; not thread-safe, one per client.</summary>
internal sealed class ClientLog
{
    public List<long> Ticks { get; } = new(1 << 16);

    public int Errors { get; set; }

    public string? FirstError { get; set; }

    public void Fail(string message)
    {
        Errors++;
        FirstError ??= message;
    }
}

/// <summary>What a phase measured.</summary>
internal sealed record PhaseResult(string Name, int Clients, long Count, double Seconds, double MeanMs, double P50Ms, double P99Ms, double MaxMs, int Errors, string? FirstError)
{
    public double PerSecond => Count / Seconds;

    /// <summary>CPU used in the measured window, where the platform tells.</summary>
    public CpuUse? Cpu { get; init; }

    public static PhaseResult From(string name, int clients, Window window, IReadOnlyCollection<ClientLog> logs)
    {
        var all = new long[logs.Sum(l => l.Ticks.Count)];
        var at = 0;
        foreach (var log in logs)
        {
            log.Ticks.CopyTo(all, at);
            at += log.Ticks.Count;
        }

        Array.Sort(all);
        return new PhaseResult(
            name,
            clients,
            all.Length,
            window.Seconds,
            all.Length == 0 ? double.NaN : Ms((long)all.Average()),
            Percentile(all, 0.50),
            Percentile(all, 0.99),
            all.Length == 0 ? double.NaN : Ms(all[^1]),
            logs.Sum(l => l.Errors),
            logs.Select(l => l.FirstError).FirstOrDefault(e => e is not null));
    }

    private static double Percentile(long[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return Ms(sorted[Math.Clamp(rank, 0, sorted.Length - 1)]);
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
