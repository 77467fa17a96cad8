using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Storage.Sqlite;

/// <summary>
/// The SQLite file: a pool of reader connections and one writer behind a group-commit queue. WAL lets readers
/// run while the writer commits.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private readonly Lazy<SqliteWriteQueue> _writer;
    private readonly string _readConnectionString;
    private readonly SqliteStoreOptions _options;

    /// <summary>Opens (or creates) the database file named in <paramref name="options"/>.</summary>
    public SqliteDatabase(IOptions<SqliteStoreOptions> options, ILogger<SqliteDatabase> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        if (_options.Synchronous is not ("FULL" or "NORMAL" or "EXTRA"))
        {
            throw new InvalidOperationException($"Continuum:Storage:Sqlite:Synchronous must be FULL, NORMAL or EXTRA, not '{_options.Synchronous}'.");
        }

        FilePath = System.IO.Path.GetFullPath(_options.Path);
        var folder = System.IO.Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds),
        };
        _readConnectionString = builder.ToString();
        _writer = new Lazy<SqliteWriteQueue>(() => new SqliteWriteQueue(OpenWriter(builder.ToString()), _options.MaxBatch, logger));
    }

    /// <summary>The full path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>The synchronous mode of the writer.</summary>
    public string Synchronous => _options.Synchronous;

    // secure_delete: a deleted or rewritten row's bytes are zeroed in its page and freed pages are zeroed, so text
    // that was erased (a forgotten user, an updated summary) does not linger in the file's free space.
    private SqliteConnection OpenWriter(string connectionString)
    {
        var connection = new SqliteConnection(connectionString + ";Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = {_options.Synchronous};
            PRAGMA foreign_keys = OFF;
            PRAGMA busy_timeout = {(int)_options.BusyTimeout.TotalMilliseconds};
            PRAGMA cache_size = -65536;
            PRAGMA temp_store = MEMORY;
            PRAGMA secure_delete = ON;
            """;
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Opens a pooled connection for reading.</summary>
    internal async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> in the writer's next transaction; completes once it is durable.</summary>
    internal Task<T> WriteAsync<T>(Func<SqliteWriteContext, T> work, CancellationToken cancellationToken) =>
        _writer.Value.WriteAsync(work, cancellationToken);

    /// <summary>
    /// Closes the idle readers, then commits what is queued, checkpoints the write-ahead log into the file and
    /// closes the writer (the last connection, so SQLite removes the log).
    /// </summary>
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (_writer.IsValueCreated)
        {
            _writer.Value.Dispose();
        }

        SqliteConnection.ClearAllPools();
    }
}
