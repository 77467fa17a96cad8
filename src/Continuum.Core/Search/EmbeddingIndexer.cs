using Continuum.ModelProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Continuum.Search;

/// <summary>
/// Embeds events, summaries and memories off the append path, in batches. The position it has reached is stored
/// with the vectors, so after a crash it resumes where the last saved batch ended; until an item has its vector,
/// lexical search finds it. A failing model is retried with backoff (up to a minute) without losing anything.
/// </summary>
public sealed partial class EmbeddingIndexer(
    EmbeddingModel model,
    IEmbeddingStore store,
    Hosting.IClusterLease lease,
    Microsoft.Extensions.Options.IOptions<ContinuumOptions> options,
    Realtime.IChangeFeed changes,
    ILogger<EmbeddingIndexer> logger) : BackgroundService
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Items embedded since start.</summary>
    public long Embedded { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (model.Generator is not { } generator)
        {
            return;
        }

        using var subscription = changes.Subscribe(_ =>
        {
            if (_wake.CurrentCount == 0)
            {
                try
                {
                    _wake.Release();
                }
                catch (SemaphoreFullException)
                {
                    // Already awake.
                }
            }
        });

        var batch = Math.Clamp(options.Value.Models.Embeddings.BatchSize, 1, 2048);
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // One node of a cluster indexes at a time: two would embed the same items.
                var held = await lease.TryAcquireAsync("embedding-indexer:" + model.Name, stoppingToken).ConfigureAwait(false);
                if (held is null)
                {
                    await _wake.WaitAsync(Idle, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                await using var leased = held.ConfigureAwait(false);
                var pending = await store.PendingAsync(model.Name, batch, stoppingToken).ConfigureAwait(false);
                if (pending.Count == 0)
                {
                    await _wake.WaitAsync(Idle, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                // Empty texts have nothing to embed; they are passed over (and counted as done).
                var texts = pending.Where(p => !string.IsNullOrWhiteSpace(p.Text)).ToList();
                var vectors = texts.Count == 0 ? [] : await generator.GenerateAsync(texts.Select(p => p.Text), cancellationToken: stoppingToken).ConfigureAwait(false);
                var byItem = texts.Select((p, i) => (p, vectors[i].Vector.ToArray())).ToDictionary(x => x.p, x => x.Item2);
                await store.SaveAsync(model.Name, [.. pending.Select(p => (p, byItem.TryGetValue(p, out var v) ? v : null))], stoppingToken).ConfigureAwait(false);
                Embedded += texts.Count;
                backoff = TimeSpan.FromSeconds(1);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, backoff.TotalSeconds, ex.GetType().Name, ex.Message);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedding failed; retrying in {Seconds} s ({Error}: {Reason})")]
    private static partial void LogFailed(ILogger logger, double seconds, string error, string reason);
}
