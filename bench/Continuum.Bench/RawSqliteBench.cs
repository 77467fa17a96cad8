using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Continuum.Bench;

/// <summary>
/// The baseline: single-row INSERTs into a fresh SQLite file with Microsoft.Data.Sqlite, one commit per row
/// (autocommit), WAL and the server's synchronous setting; each client a thread with its own connection.
/// </summary>
internal static class RawSqliteBench
{
    private const string Schema = """
        CREATE TABLE events (
            tenant_id TEXT NOT NULL,
            session_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            id TEXT NOT NULL,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            tokens INTEGER NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX ux_events_session_seq ON events (session_id, seq);
        """;

    private const string Insert = """
        INSERT INTO events (tenant_id, session_id, seq, id, role, content, tokens, created_at)
        VALUES ($tenant, $session, $seq, $id, $role, $content, $tokens, $created_at)
        """;

    public static string Version()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    public static PhaseResult Run(string path, string synchronous, int clients, Window window)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 10,
        }.ToString();
        using (var setup = Open(connectionString, synchronous))
        {
            Execute(setup, "PRAGMA journal_mode = WAL");
            Execute(setup, Schema);
        }

        var logs = Enumerable.Range(0, clients).Select(_ => new ClientLog()).ToArray();
        var threads = Enumerable.Range(0, clients)
            .Select(i => new Thread(() => Client(connectionString, synchronous, i, logs[i], window)) { IsBackground = true, Name = $"raw-sqlite-{i}" })
            .ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        SqliteConnection.ClearAllPools();
        return PhaseResult.From("raw sqlite", clients, window, logs);
    }

    private static void Client(string connectionString, string synchronous, int client, ClientLog log, Window window)
    {
        using var connection = Open(connectionString, synchronous);
        using var command = connection.CreateCommand();
        command.CommandText = Insert;
        var session = $"ses_raw_{client:D4}";
        var content = Workload.Content(client);
        command.Parameters.AddWithValue("$tenant", "default");
        command.Parameters.AddWithValue("$session", session);
        var seq = command.Parameters.AddWithValue("$seq", 0L);
        var id = command.Parameters.AddWithValue("$id", "");
        command.Parameters.AddWithValue("$role", "user");
        command.Parameters.AddWithValue("$content", content);
        command.Parameters.AddWithValue("$tokens", content.Length / 4);
        var createdAt = command.Parameters.AddWithValue("$created_at", 0L);
        command.Prepare();

        long next = 0;
        while (window.Open(Stopwatch.GetTimestamp()))
        {
            var started = Stopwatch.GetTimestamp();
            seq.Value = next + 1;
            id.Value = $"evt_{client:D4}_{next + 1:D10}";
            createdAt.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            try
            {
                command.ExecuteNonQuery();
                next++;
                var completed = Stopwatch.GetTimestamp();
                if (window.Counts(completed))
                {
                    log.Ticks.Add(completed - started);
                }
            }
            catch (SqliteException ex)
            {
                log.Fail($"SQLite error {ex.SqliteErrorCode}: {ex.Message}");
            }
        }
    }

    private static SqliteConnection Open(string connectionString, string synchronous)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, $"PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = 10000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
