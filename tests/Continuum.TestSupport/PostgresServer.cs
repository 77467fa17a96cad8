using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Continuum.Testing;

/// <summary>
/// A throw-away PostgreSQL cluster for tests and benchmarks: <c>initdb</c> in a temp folder owned by the
/// <c>postgres</c> user, started with <c>pg_ctl</c> on a free loopback port (through <c>runuser -u postgres</c> when
/// run as root, which PostgreSQL refuses), and stopped and removed at the end. Each user gets a database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "continuum-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private string _bin = "";

    public int Port { get; private set; }

    /// <summary>The server's address (the maintenance database).</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    /// <summary>Creates and starts the cluster.</summary>
    public async Task InitializeAsync()
    {
        _bin = FindBinaries();
        Directory.CreateDirectory(_directory);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["postgres:postgres", _directory], asPostgres: false);
        }

        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", Path.Combine(_directory, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"], asPostgres: true);
        Port = FreePort();
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=64MB", "start"], asPostgres: true);
    }

    /// <summary>A new empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name};Maximum Pool Size=60";
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the server (as a crash or a maintenance restart would).</summary>
    public Task StopAsync(string mode = "fast") =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-m", mode, "-w", "stop"], asPostgres: true);

    /// <summary>Starts it again on the same port.</summary>
    public Task StartAsync() =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=64MB", "start"], asPostgres: true);

    /// <summary>Stops the cluster and removes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await StopAsync("immediate");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp folder's own cleanup.
        }
    }

    private static string FindBinaries()
    {
        var root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL's server binaries were not found under /usr/lib/postgresql/*/bin (initdb, pg_ctl). Install them (apt-get install postgresql); .ci/run does.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgres && Environment.UserName == "root" ? "runuser" : file,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgres && Environment.UserName == "root")
        {
            foreach (var a in (string[])["-u", "postgres", "--", file])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error} {await output}");
        }
    }
}
