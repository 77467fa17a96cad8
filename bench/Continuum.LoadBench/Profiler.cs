using System.Diagnostics;
using System.Globalization;

namespace Continuum.LoadBench;

/// <summary>
/// With CONTINUUM_BENCH_TRACE=FILE.nettrace set, samples the server's CPU with dotnet-trace (installed as a dotnet tool)
/// from the end of the warm-up to the end of the run; otherwise does nothing.
/// </summary>
internal sealed class Profiler : IDisposable
{
    private readonly Process? _trace;

    private Profiler(Process? trace) => _trace = trace;

    public static Profiler Attach(int pid)
    {
        var file = Environment.GetEnvironmentVariable("CONTINUUM_BENCH_TRACE");
        if (string.IsNullOrEmpty(file))
        {
            return new Profiler(null);
        }

        var start = new ProcessStartInfo("dotnet-trace") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--profile", "dotnet-sampled-thread-time", "-o", file })
        {
            start.ArgumentList.Add(arg);
        }

        var trace = Process.Start(start)!;
        // Sampling has begun once the tool says where it writes.
        while (trace.StandardOutput.ReadLine() is { } line && !line.Contains("Output File", StringComparison.OrdinalIgnoreCase))
        {
        }

        Console.WriteLine($"tracing server {pid} into {file}");
        return new Profiler(trace);
    }

    public void Dispose()
    {
        if (_trace is null)
        {
            return;
        }

        _trace.StandardInput.WriteLine();
        _trace.WaitForExit(120_000);
        _trace.Dispose();
    }
}
