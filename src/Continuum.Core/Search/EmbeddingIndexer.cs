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
    TimeProvider time,
    ILogger<EmbeddingIndexer> logger) : BackgroundService
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _fullBatches;

    /// <summary>Items embedded since start.</summary>
    public long Embedded { get; private set; }

    /// <summary>Vectors made since start (an event that follows another turn has two: the turn and its neighbourhood).</summary>
    public long Vectors { get; private set; }

    /// <summary>Time spent in the model since start.</summary>
    public TimeSpan EmbeddingTime { get; private set; }

    /// <summary>When the last batch was saved, or null.</summary>
    public DateTimeOffset? LastIndexedAt { get; private set; }

    /// <summary>True when a model is configured, so the indexer runs.</summary>
    public bool Enabled => model.Generator is not null;

    /// <summary>The model's name.</summary>
    public string ModelName => model.Name;

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

                // Empty texts have nothing to embed; they are passed over (and counted as done). An event that follows
                // another turn gets a second vector: the turn with the one before it (kind "window", the same row).
                var texts = pending.Where(p => !string.IsNullOrWhiteSpace(p.Text)).ToList();
                var windows = texts.Where(p => p.Kind == "event" && !string.IsNullOrWhiteSpace(p.Previous))
                    .Select(p => (Item: p with { Kind = "window", Previous = null }, Text: p.Previous + "\n" + p.Text)).ToList();
                var inputs = texts.Select(p => (Item: p, p.Text)).Concat(windows).ToList();
                var started = time.GetTimestamp();
                var vectors = inputs.Count == 0 ? [] : await generator.GenerateAsync(inputs.Select(p => p.Text), cancellationToken: stoppingToken).ConfigureAwait(false);
                var byItem = inputs.Select((p, i) => (p.Item, vectors[i].Vector.ToArray())).ToDictionary(x => (x.Item.Kind, x.Item.Row), x => x.Item2);
                await store.SaveAsync(model.Name, [.. pending.Concat(windows.Select(w => w.Item)).Select(p => (p, byItem.TryGetValue((p.Kind, p.Row), out var v) ? v : null))], stoppingToken).ConfigureAwait(false);
                Embedded += texts.Count;
                Vectors += inputs.Count;
                EmbeddingTime += time.GetElapsedTime(started);
                LastIndexedAt = time.GetUtcNow();
                if (pending.Count == batch && ++_fullBatches % 50 == 0)
                {
                    // A long catch-up (a store indexed for the first time, or back-filled on upgrade) says how far it is.
                    LogProgress(logger, Embedded, await store.BacklogAsync(model.Name, stoppingToken).ConfigureAwait(false));
                }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedding index: {Embedded} items embedded since start, about {Backlog} events still to embed")]
    private static partial void LogProgress(ILogger logger, long embedded, long backlog);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedding failed; retrying in {Seconds} s ({Error}: {Reason})")]
    private static partial void LogFailed(ILogger logger, double seconds, string error, string reason);
}
