using System.Collections.Concurrent;
using Continuum.Errors;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Continuum.Storage.Sqlite;

/// <summary>
/// Runs every write on one thread and one connection, committing the writes that queue up meanwhile in one
/// transaction (group commit): one log sync serves many acknowledged writes. Each write runs inside its own
/// savepoint, so one that fails is rolled back alone and the others still commit. A write's task completes
/// only after its transaction is durable.
/// </summary>
internal sealed partial class SqliteWriteQueue : IDisposable
{
    private readonly BlockingCollection<WriteItem> _queue = new(new ConcurrentQueue<WriteItem>());
    private readonly SqliteWriteContext _context;
    private readonly Thread _thread;
    private readonly int _maxBatch;
    private readonly ILogger _logger;

    public SqliteWriteQueue(SqliteConnection connection, int maxBatch, ILogger logger)
    {
        _context = new SqliteWriteContext(connection);
        _maxBatch = Math.Max(1, maxBatch);
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "continuum-sqlite-writer" };
        _thread.Start();
    }

    /// <summary>Queues <paramref name="work"/>; the task completes with its result once committed.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteWriteContext, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = new WriteItem<T>(work, cancellationToken);
        try
        {
            _queue.Add(item, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            throw new TransientStoreException("The store is shutting down.");
        }

        return item.Task;
    }

    private void Run()
    {
        var batch = new List<WriteItem>(_maxBatch);
        var done = new List<WriteItem>(_maxBatch);
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            batch.Add(first);
            while (batch.Count < _maxBatch && _queue.TryTake(out var next))
            {
                batch.Add(next);
            }

            RunBatch(batch, done);
            batch.Clear();
            done.Clear();
        }
    }

    private void RunBatch(List<WriteItem> batch, List<WriteItem> done)
    {
        try
        {
            _context.Execute("BEGIN IMMEDIATE");
        }
        catch (SqliteException ex)
        {
            var error = SqliteErrors.Translate(ex);
            foreach (var item in batch)
            {
                item.Fail(error);
            }

            return;
        }

        foreach (var item in batch)
        {
            if (item.CancellationToken.IsCancellationRequested)
            {
                item.Cancel();
                continue;
            }

            _context.Execute("SAVEPOINT w");
            try
            {
                item.Execute(_context);
                _context.Execute("RELEASE w");
                done.Add(item);
            }
            catch (Exception ex)
            {
                _context.Execute("ROLLBACK TO w");
                _context.Execute("RELEASE w");
                item.Fail(ex is SqliteException sqlite ? SqliteErrors.Translate(sqlite) : ex);
            }
        }

        try
        {
            _context.Execute("COMMIT");
        }
        catch (SqliteException ex)
        {
            LogCommitFailed(_logger, done.Count, ex);
            TryRollback();
            var error = SqliteErrors.Translate(ex);
            foreach (var item in done)
            {
                item.Fail(error);
            }

            return;
        }

        foreach (var item in done)
        {
            item.Complete();
        }
    }

    private void TryRollback()
    {
        try
        {
            if (!_context.Connection.AutoCommitMode())
            {
                _context.Execute("ROLLBACK");
            }
        }
        catch (SqliteException)
        {
            // SQLite already rolled the transaction back on the failed commit.
        }
    }

    /// <summary>
    /// Commits what is queued, merges the write-ahead log into the database file and closes the writer's
    /// connection, so a stopped server leaves one complete file behind.
    /// </summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        if (_thread.Join(TimeSpan.FromSeconds(30)))
        {
            try
            {
                _context.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            catch (SqliteException e)
            {
                // A reader still open keeps the log; SQLite merges it on the next open, so nothing is lost.
                LogCheckpointFailed(_logger, e);
            }
        }

        _context.Dispose();
        _queue.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The write-ahead log could not be merged at shutdown; it is merged on the next start")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Commit of {Count} writes failed; they were rolled back and reported as failed")]
    private static partial void LogCommitFailed(ILogger logger, int count, Exception exception);

    private abstract class WriteItem(CancellationToken cancellationToken)
    {
        public CancellationToken CancellationToken { get; } = cancellationToken;

        public abstract void Execute(SqliteWriteContext context);

        public abstract void Complete();

        public abstract void Fail(Exception exception);

        public abstract void Cancel();
    }

    private sealed class WriteItem<T>(Func<SqliteWriteContext, T> work, CancellationToken cancellationToken) : WriteItem(cancellationToken)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public override void Execute(SqliteWriteContext context) => _result = work(context);

        public override void Complete() => _completion.TrySetResult(_result!);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);

        public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
    }
}
