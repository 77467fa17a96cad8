using System.Text.Json;
using System.Threading.Channels;
using Continuum.Realtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// The change feed across nodes: a notice reaches this node's subscribers at once and every other node's through
/// PostgreSQL <c>NOTIFY</c> on one channel. Notices are sent in batches by a background sender (an append does not
/// wait for a round trip), and each node listens on a connection of its own that is re-opened with backoff when
/// the server restarts. A notice lost in between only delays delivery: subscribers read what changed from the store.
/// </summary>
public sealed partial class PostgresChangeFeed(PostgresDatabase database, ILogger<PostgresChangeFeed> logger) : BackgroundService, IChangeFeed
{
    /// <summary>The NOTIFY channel.</summary>
    public const string Channel = "continuum_changes";

    private const int MaxBatch = 256;

    private readonly InProcessChangeFeed _local = new();
    private readonly Channel<ChangeNotice> _outgoing = System.Threading.Channels.Channel.CreateBounded<ChangeNotice>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>This node's id in the notices it sends (its own come back to it and are skipped).</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>Notices received from other nodes.</summary>
    public long Received => Interlocked.Read(ref _received);

    private long _received;

    /// <inheritdoc />
    public ValueTask PublishAsync(ChangeNotice notice, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notice);
        _local.Deliver(notice);
        _outgoing.Writer.TryWrite(notice);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public IDisposable Subscribe(Action<ChangeNotice> handler) => _local.Subscribe(handler);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), SendAsync(stoppingToken));

    private async Task SendAsync(CancellationToken stoppingToken)
    {
        var batch = new List<string>(MaxBatch);
        while (await _outgoing.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _outgoing.Reader.TryRead(out var notice))
            {
                batch.Add(JsonSerializer.Serialize(new Wire(NodeId, notice.Topic, notice.Kind, notice.Position, notice.Origin)));
            }

            try
            {
                await database.ReadAsync(async c =>
                {
                    using var command = c.Command($"SELECT pg_notify('{Channel}', p) FROM unnest(@payloads) AS p").Bind("payloads", batch.ToArray());
                    return await command.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The other nodes catch up on their next notice or poll.
                LogSendFailed(logger, batch.Count, ex.GetType().Name);
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, KeepAlive = 15 }.ConnectionString);
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync(stoppingToken).ConfigureAwait(false);
                    connection.Notification += (_, e) => Receive(e.Payload);
                    using (var listen = connection.Command($"LISTEN {Channel}"))
                    {
                        await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                    }

                    backoff = TimeSpan.FromMilliseconds(200);
                    LogListening(logger, NodeId);
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogListenFailed(logger, backoff.TotalMilliseconds, ex.GetType().Name);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(Math.Min(10_000, backoff.TotalMilliseconds * 2));
            }
        }
    }

    private void Receive(string payload)
    {
        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(payload);
            if (wire is null || wire.Node == NodeId)
            {
                return;
            }

            Interlocked.Increment(ref _received);
            _local.Deliver(new ChangeNotice(wire.Topic, wire.Kind, wire.Position, wire.Origin));
        }
        catch (JsonException)
        {
            // Not ours.
        }
    }

    private sealed record Wire(string Node, string Topic, string Kind, long? Position, string? Origin);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for changes from other nodes (this node {NodeId})")]
    private static partial void LogListening(ILogger logger, string nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The change listener lost its connection ({Error}); reconnecting in {Milliseconds} ms")]
    private static partial void LogListenFailed(ILogger logger, double milliseconds, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} change notices could not be sent to the other nodes ({Error})")]
    private static partial void LogSendFailed(ILogger logger, int count, string error);
}
