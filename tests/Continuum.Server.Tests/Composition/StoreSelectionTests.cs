using System.Net;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Handoffs;
using Continuum.Storage.Tests;
using Npgsql;

namespace Continuum.Server.Tests.Composition;

/// <summary>
/// <c>Continuum:Storage:Provider</c> picks the store for every host: the server, <c>continuum db migrate</c>, the
/// in-process CLI and <c>continuum mcp</c>; an unknown value stops them at start with a message saying what to set.
/// </summary>
public sealed class StoreSelectionTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "continuum-store-selection-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task Db_migrate_with_provider_postgres_migrates_the_postgres_database_and_writes_no_sqlite_file()
    {
        var database = await cluster.CreateDatabaseAsync();

        var run = await RunCliAsync(Postgres(database), "db", "migrate", "--json", "--data", _data);

        run.ExitCode.ShouldBe(0, run.Err);
        var report = JsonNode.Parse(run.Out)!;
        ((string)report["store"]!).ShouldStartWith("postgres:");
        ((int)report["toVersion"]!).ShouldBeGreaterThan(0);
        (await CountTablesAsync(database, "agents")).ShouldBe(1);
        File.Exists(Path.Combine(_data, "continuum.db")).ShouldBeFalse();
        await cluster.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task An_in_process_cli_command_with_provider_postgres_writes_where_the_server_on_postgres_reads()
    {
        var database = await cluster.CreateDatabaseAsync();

        var run = await RunCliAsync(Postgres(database), "register", "pg-agent", "Pg", "test", "--json", "--data", _data);

        run.ExitCode.ShouldBe(0, run.Err);
        File.Exists(Path.Combine(_data, "continuum.db")).ShouldBeFalse();
        await using (var server = await ApiServer.StartAsync("--Continuum:Storage:Provider", "postgres", "--Continuum:Storage:Postgres:ConnectionString", database))
        {
            var agent = await server.GetOkAsync("api/agents/pg-agent");
            ((string)agent["agentName"]!).ShouldBe("Pg");
        }

        await cluster.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task An_unknown_provider_stops_the_cli_with_a_message_saying_what_to_set()
    {
        var migrate = await RunCliAsync(new() { ["Continuum__Storage__Provider"] = "mongodb" }, "db", "migrate", "--data", _data);
        var command = await RunCliAsync(new() { ["Continuum__Storage__Provider"] = "mongodb" }, "list", "--data", _data);

        foreach (var run in new[] { migrate, command })
        {
            run.ExitCode.ShouldBe(2);
            run.Err.ShouldContain("Continuum:Storage:Provider is 'mongodb'");
            run.Err.ShouldContain("'sqlite'");
            run.Err.ShouldContain("'postgres'");
        }

        File.Exists(Path.Combine(_data, "continuum.db")).ShouldBeFalse();
    }

    [Fact]
    public void An_unknown_provider_or_postgres_without_a_connection_string_stops_the_server_at_start()
    {
        var unknown = Should.Throw<InvalidOperationException>(() => ContinuumServer.Build(["--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", _data, "--Continuum:Storage:Provider", "mongodb"]));
        var unset = Should.Throw<InvalidOperationException>(() => ContinuumServer.Build(["--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", _data, "--Continuum:Storage:Provider", "postgres"]));
        var writers = Should.Throw<InvalidOperationException>(() => ContinuumServer.Build(["--urls", "http://127.0.0.1:0", "--Continuum:Storage:Provider", "postgres",
            "--Continuum:Storage:Postgres:ConnectionString", "Host=127.0.0.1", "--Continuum:Storage:Postgres:AppendWriters", "0"]));

        unknown.Message.ShouldContain("Continuum:Storage:Provider is 'mongodb'; set it to 'sqlite'");
        unset.Message.ShouldContain("Continuum:Storage:Postgres:ConnectionString is not set");
        writers.Message.ShouldContain("Continuum:Storage:Postgres:AppendWriters is 0; it must be between 1 and 64.");
    }

    [Fact]
    public async Task Without_a_provider_the_cli_uses_sqlite_in_the_data_directory()
    {
        var run = await RunCliAsync([], "db", "migrate", "--json", "--data", _data);

        run.ExitCode.ShouldBe(0, run.Err);
        ((string)JsonNode.Parse(run.Out)!["store"]!).ShouldStartWith("sqlite:");
        File.Exists(Path.Combine(_data, "continuum.db")).ShouldBeTrue();
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static Dictionary<string, string> Postgres(string connectionString) => new()
    {
        ["Continuum__Storage__Provider"] = "postgres",
        ["Continuum__Storage__Postgres__ConnectionString"] = connectionString,
    };

    private static async Task<long> CountTablesAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_name = @table", connection);
        command.Parameters.AddWithValue("table", table);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static Task<CliRun.Result> RunCliAsync(Dictionary<string, string> environment, params string[] args)
    {
        // The child sees only the store settings given here, not the ones the test run itself was started with.
        var settings = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("Continuum__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("CONTINUUM_", StringComparison.Ordinal))
            .ToDictionary(k => k, string? (_) => null);
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }

        return CliRun.RunAsync(settings, args);
    }
}
