using Continuum.Hosting;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// Cluster leases on PostgreSQL session-level advisory locks, each held on a connection of its own: released when
/// the lease is disposed, or by the server when the node's connection dies with it.
/// </summary>
public sealed class PostgresClusterLease(PostgresDatabase database) : IClusterLease
{
    /// <inheritdoc />
    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.Command("SELECT pg_try_advisory_lock(hashtextextended(@name, 5))").Bind("name", name);
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                return new Lease(connection);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // No database, no lease: the job waits for its next turn.
        }
        catch (OperationCanceledException)
        {
            // Stopping: the connection (and any lock it took) goes with it.
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    private sealed class Lease(NpgsqlConnection connection) : IAsyncDisposable
    {
        // The lock is released by the server before the lease says it is gone: closing the connection alone ends the
        // session a moment later, and another node asking at once would still find the lease taken. A connection
        // already dead has released it with its session.
        public async ValueTask DisposeAsync()
        {
            try
            {
                using var unlock = connection.Command("SELECT pg_advisory_unlock_all()");
                await unlock.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // Lost with the connection.
            }

            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
