using System.Collections.Concurrent;
using System.Threading.Channels;
using Continuum.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Context;

/// <summary>
/// Runs compression in the background: the session service tells it, from what each append returned, when a session
/// passes its threshold, and a periodic sweep catches what was missed (a restart, another node's appends, a
/// model summary to redo). An append never waits for it.
/// </summary>
public sealed partial class CompressionService(
    SessionCompressor compressor,
    IContextStore store,
    Hosting.IClusterLease lease,
    SummarizerChain summarizers,
    Tokens.ITokenCounter tokens,
    IOptions<ContinuumOptions> options,
    TimeProvider time,
    ILogger<CompressionService> logger) : BackgroundService
{
    private readonly Channel<(string TenantId, string SessionId)> _queue = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<(string, string), byte> _queued = new();
    private static readonly TimeSpan PassPause = TimeSpan.FromMilliseconds(20);
    private readonly ContextOptions _options = options.Value.Context;

    /// <summary>
    /// Called after a committed append with the session's tokens not yet summarized and its limit; queues the
    /// session when it passed its threshold. Never blocks.
    /// </summary>
    public void SessionGrew(string tenantId, string sessionId, long unsummarizedTokens, int tokenLimit)
    {
        if (_options.CompressionEnabled && unsummarizedTokens > tokenLimit * _options.SummarizeThreshold)
        {
            Enqueue(tenantId, sessionId);
        }
    }

    private void Enqueue(string tenantId, string sessionId)
    {
        if (_queued.TryAdd((tenantId, sessionId), 0))
        {
            _queue.Writer.TryWrite((tenantId, sessionId));
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.CompressionEnabled)
        {
            return;
        }

        var sweeper = SweepAsync(stoppingToken);
        await foreach (var (tenantId, sessionId) in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            _queued.TryRemove((tenantId, sessionId), out _);
            try
            {
                await compressor.CompressAsync(tenantId, sessionId, false, stoppingToken).ConfigureAwait(false);

                // Compression is background work: leave room between passes so appends keep the machine.
                await Task.Delay(PassPause, time, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The events stay unsummarized; the next sweep tries again.
                LogFailed(logger, sessionId, ex);
            }
        }

        await sweeper.ConfigureAwait(false);
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.SweepInterval, time);
        do
        {
            try
            {
                // Appends signal the node that took them; the sweep (for what no node was told of) runs on one node at a time.
                var held = await lease.TryAcquireAsync("compression-sweep", stoppingToken).ConfigureAwait(false);
                if (held is not null)
                {
                    await using (held.ConfigureAwait(false))
                    {
                        foreach (var (tenantId, sessionId) in await store.GetSessionsOverThresholdAsync(_options.SummarizeThreshold, 1000, stoppingToken).ConfigureAwait(false))
                        {
                            Enqueue(tenantId, sessionId);
                        }

                        await RedoFallbacksAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task RedoFallbacksAsync(CancellationToken cancellationToken)
    {
        if (!summarizers.HasModel)
        {
            return;
        }

        foreach (var (tenantId, summary) in await store.GetFallbackSummariesAsync(20, cancellationToken).ConfigureAwait(false))
        {
            var events = await store.GetEventRangeAsync(tenantId, summary.SessionId, summary.FromSeq, summary.ToSeq, cancellationToken).ConfigureAwait(false);
            if (summary.Level > 0 || events.Count == 0)
            {
                continue;
            }

            var result = await summarizers.TryModelAsync([.. events.Select(SessionCompressor.ToSource)], _options.SummaryMaxTokens, cancellationToken).ConfigureAwait(false);
            if (result is not { } redone)
            {
                // The model is still failing: leave the rest for the next sweep.
                return;
            }

            await store.UpdateSummaryAsync(tenantId, summary.Id, redone.Text, tokens.Count(redone.Text), redone.Summarizer, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compressing session {SessionId} failed; it stays unsummarized until the next sweep")]
    private static partial void LogFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compression sweep failed")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
