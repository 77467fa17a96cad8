using System.Text;
using Continuum.Server.Tests.Api;
using Continuum.Storage.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Continuum.Server.Tests.Lifecycle;

/// <summary>
/// Reads every row of every table of a server's store, whatever the schema holds (tables added later are covered), and
/// the SQLite files' raw bytes.
/// </summary>
internal static class StoreScan
{
    /// <summary>The tables (and their row counts) where any column holds <paramref name="needle"/>.</summary>
    public static async Task<List<string>> TablesHoldingAsync(ApiServer server, string needle, params string[] except)
    {
        var found = new List<string>();
        if (Continuum.Testing.TestStore.IsPostgres)
        {
            var database = server.Services.GetRequiredService<PostgresDatabase>();
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            var tables = new List<string>();
            await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'", connection))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            tables.Count.ShouldBeGreaterThan(10);
            foreach (var table in tables.Where(t => !except.Contains(t)))
            {
                await using var scan = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\" t WHERE strpos(t::text, @needle) > 0", connection);
                scan.Parameters.AddWithValue("needle", needle);
                if ((long)(await scan.ExecuteScalarAsync())! > 0)
                {
                    found.Add(table);
                }
            }

            return found;
        }

        await using (var sqlite = new SqliteConnection($"Data Source={SqlitePath(server)};Mode=ReadOnly;Pooling=False"))
        {
            await sqlite.OpenAsync();
            var tables = new List<string>();
            await using (var list = sqlite.CreateCommand())
            {
                // Every table, the full-text indexes' own shadow tables included.
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
                await using var reader = await list.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            tables.Count.ShouldBeGreaterThan(10);
            var bytes = Encoding.UTF8.GetBytes(needle);
            foreach (var table in tables.Where(t => !except.Contains(t)))
            {
                await using var scan = sqlite.CreateCommand();
                scan.CommandText = $"SELECT * FROM \"{table}\"";
                await using var reader = await scan.ExecuteReaderAsync();
                var hit = false;
                while (!hit && await reader.ReadAsync())
                {
                    for (var i = 0; i < reader.FieldCount && !hit; i++)
                    {
                        hit = reader.GetValue(i) switch
                        {
                            string s => s.Contains(needle, StringComparison.Ordinal),
                            byte[] b => b.AsSpan().IndexOf(bytes) >= 0,
                            _ => false,
                        };
                    }
                }

                if (hit)
                {
                    found.Add(table);
                }
            }
        }

        SqliteConnection.ClearAllPools();
        return found;
    }

    /// <summary>The SQLite database file and its write-ahead log (when present) that hold <paramref name="needle"/>'s UTF-8 bytes.</summary>
    public static List<string> FilesHolding(ApiServer server, string needle)
    {
        var bytes = Encoding.UTF8.GetBytes(needle);
        var found = new List<string>();
        foreach (var path in new[] { SqlitePath(server), SqlitePath(server) + "-wal" }.Where(File.Exists))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            if (memory.GetBuffer().AsSpan(0, (int)memory.Length).IndexOf(bytes) >= 0)
            {
                found.Add(Path.GetFileName(path));
            }
        }

        return found;
    }

    public static string SqlitePath(ApiServer server) => Path.Combine(server.DataDirectory, "continuum.db");
}
