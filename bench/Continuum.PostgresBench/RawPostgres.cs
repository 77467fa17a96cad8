using System.Diagnostics;
using Continuum.Bench;
using Npgsql;

namespace Continuum.Bench;

/// <summary>
/// The PostgreSQL baseline of both PostgreSQL benches: prepared single-row INSERTs into an events table with the same key,
/// one commit a row, each client its own connection.
/// </summary>
internal static class RawPostgres
{
    public static async Task<PhaseResult> RunAsync(string database, int clients, Window window, CancellationToken cancellationToken)
    {
        await using (var setup = new NpgsqlConnection(database))
        {
            await setup.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand("""
                CREATE TABLE events (tenant_id text NOT NULL, session_id text NOT NULL, seq bigint NOT NULL, id text NOT NULL, role text NOT NULL,
                    content text NOT NULL, tokens integer NOT NULL, created_at bigint NOT NULL, PRIMARY KEY (session_id, seq))
                """, setup);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var logs = Enumerable.Range(0, clients).Select(_ => new ClientLog()).ToArray();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync(cancellationToken);
            await using var insert = new NpgsqlCommand("INSERT INTO events VALUES ('default', @session, @seq, @id, 'user', @content, @tokens, @at)", connection);
            var seq = insert.Parameters.AddWithValue("seq", 0L);
            var id = insert.Parameters.AddWithValue("id", "");
            var at = insert.Parameters.AddWithValue("at", 0L);
            insert.Parameters.AddWithValue("session", $"ses_raw_{client:D4}");
            var content = Workload.Content(client);
            insert.Parameters.AddWithValue("content", content);
            insert.Parameters.AddWithValue("tokens", content.Length / 4);
            await insert.PrepareAsync(cancellationToken);
            for (long next = 1; window.Open(Stopwatch.GetTimestamp()); next++)
            {
                var started = Stopwatch.GetTimestamp();
                seq.Value = next;
                id.Value = $"evt_{client:D4}_{next:D10}";
                at.Value = DateTimeOffset.UtcNow.UtcTicks;
                try
                {
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                    var completed = Stopwatch.GetTimestamp();
                    if (window.Counts(completed))
                    {
                        logs[client].Ticks.Add(completed - started);
                    }
                }
                catch (NpgsqlException ex)
                {
                    logs[client].Fail(ex.Message);
                }
            }
        }, cancellationToken)));
        return PhaseResult.From("raw npgsql", clients, window, logs);
    }
}
