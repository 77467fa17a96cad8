using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Continuum.LoadBench;

/// <summary>
/// A Continuum server in its own process on 127.0.0.1, so that its CPU time (utime + stime, all its threads) and its
/// resident memory can be read apart from the clients'.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDirectory;

    private ServerProcess(Process process, Uri address, string dataDirectory)
    {
        _process = process;
        Address = address;
        _dataDirectory = dataDirectory;
    }

    public Uri Address { get; }

    public int Id => _process.Id;

    /// <summary>CPU time the server process has used so far, every thread counted.</summary>
    public TimeSpan Cpu
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Resident set size in bytes (VmRSS).</summary>
    public long Rss
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    /// <summary>Starts <paramref name="serverDll"/> with the store <paramref name="postgres"/> names (null: SQLite FULL) and waits until it answers.</summary>
    public static async Task<ServerProcess> StartAsync(string serverDll, string? postgres, IEnumerable<string> extra, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), $"continuum-load-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            serverDll,
            "--urls", $"http://127.0.0.1:{port}",
            "--Continuum:DataDirectory", data,
            "--Continuum:Storage:Sqlite:Synchronous", "FULL",
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore", "Warning",
        })
        {
            start.ArgumentList.Add(arg);
        }

        if (postgres is not null)
        {
            start.ArgumentList.Add("--Continuum:Storage:Provider");
            start.ArgumentList.Add("postgres");
            start.ArgumentList.Add("--Continuum:Storage:Postgres:ConnectionString");
            start.ArgumentList.Add(postgres);
        }

        foreach (var arg in extra)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"), data);

        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {process.ExitCode}: {errors}");
            }

            try
            {
                using var health = await http.GetAsync(new Uri("health", UriKind.Relative), cancellationToken);
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Listening, but the first answer is slow on a busy machine.
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                await server.DisposeAsync();
                throw new TimeoutException("The server did not answer /health within 60 s.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the host stops gracefully (the SQLite writer commits and checkpoints).
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill!.WaitForExitAsync();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
