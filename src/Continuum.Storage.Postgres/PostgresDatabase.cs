using Continuum.Errors;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// The connection pool and the transaction helper of the PostgreSQL stores. A transaction that fails on a
/// serialization failure or a deadlock was rolled back whole and is run again (with backoff); a connection that
/// cannot be opened is retried for a few seconds (a restarting server); what still fails is translated by
/// <see cref="PostgresErrors"/> (a 503 with Retry-After, a 409 for a constraint violation).
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private const int MaxAttempts = 6;

    private readonly NpgsqlDataSource _source;

    /// <summary>Connects with <paramref name="connectionString"/>.</summary>
    public PostgresDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Host = builder.Host ?? "";
        Database = builder.Database ?? "";
        ConnectionString = connectionString;
        // Statements run again and again (appends, reads of a session) are prepared once a connection, unless the
        // connection string says otherwise: it saves parsing and planning them on every call.
        var source = new NpgsqlDataSourceBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            source.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        _source = source.Build();
    }

    /// <summary>The server's host.</summary>
    public string Host { get; }

    /// <summary>The database name.</summary>
    public string Database { get; }

    /// <summary>The connection string (with its password, if any: never log it).</summary>
    public string ConnectionString { get; }

    /// <summary>Runs <paramref name="work"/> in a transaction and commits it; retried whole on transient failures.</summary>
    public async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        for (var attempt = 1; ; attempt++)
        {
            // A failure before the commit was sent leaves nothing behind, so the whole transaction can run again; a
            // connection lost during the commit leaves its outcome unknown, so that one is reported, not repeated.
            var committing = false;
            try
            {
                var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    try
                    {
                        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                        await using (transaction.ConfigureAwait(false))
                        {
                            var result = await work(connection, transaction).ConfigureAwait(false);
                            committing = true;
                            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                            return result;
                        }
                    }
                    catch (PostgresException)
                    {
                        // Rolled back by now (the transaction is disposed): outside it, the connection can be reset.
                        ForgetPreparedStatements(connection);
                        throw;
                    }
                }
            }
            catch (Exception ex) when (PostgresErrors.Retryable(ex, committing) && attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (PostgresErrors.Translate(ex) is { } translated)
            {
                throw translated;
            }
        }
    }

    /// <summary>Runs a read on a pooled connection; a connection that cannot be opened is retried, then a 503.</summary>
    public async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        for (var attempt = 1; ; attempt++)
        {
            // Reads change nothing: one that failed on a dead pooled connection (a restarted server) runs again.
            try
            {
                var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    try
                    {
                        return await work(connection).ConfigureAwait(false);
                    }
                    catch (PostgresException)
                    {
                        ForgetPreparedStatements(connection);
                        throw;
                    }
                }
            }
            catch (Exception ex) when (PostgresErrors.Retryable(ex, committing: false) && attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (PostgresErrors.Translate(ex) is { } translated)
            {
                throw translated;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _source.DisposeAsync();

    // The driver prepares the statements a connection runs often (Max Auto Prepare). A statement the server refuses
    // in the round trip that prepares it (a NUL in a text parameter, a constraint violated, a bad pattern) can be left
    // recorded as prepared without the description of its rows, and the next run of the same statement on that
    // connection then fails with "unexpected backend message DataRow" (a driver fault, open in Npgsql 10). So after
    // any error the server reports, the connection's prepared statements are dropped before it goes back to the
    // pool; they are prepared again as they are used. Errors are rare enough for the round trip this costs (the driver
    // offers this reset only as a synchronous call). A connection that fails here is broken, and the pool drops it.
    private static void ForgetPreparedStatements(NpgsqlConnection connection)
    {
        if (connection.FullState != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            connection.UnprepareAll();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Broken with the connection: the pool does not hand it out again.
        }
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds((50 << attempt) + Random.Shared.Next(50));
}
