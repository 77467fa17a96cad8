using Continuum.ModelProviders;

namespace Continuum.Search;

/// <summary>How far the embedding index is: what <c>/api/stats</c> (<c>search</c>) and <c>/health</c> (<c>search-index</c>) report.</summary>
/// <param name="Provider">The embedding model's name, or <c>none</c> (lexical search only).</param>
/// <param name="Enabled">True when a model is configured and the indexer runs.</param>
/// <param name="Backlog">Events still waiting for their vectors (on this store, all nodes together).</param>
/// <param name="Embedded">Items this node embedded since it started.</param>
/// <param name="Vectors">Vectors this node made since it started (a turn that follows another has two).</param>
/// <param name="ItemsPerSecond">Items embedded per second of model time on this node, or null before the first batch.</param>
/// <param name="LastIndexedAt">When this node last saved a batch, or null.</param>
/// <param name="CachedVectors">Turn vectors this node holds in memory for search.</param>
public sealed record SearchIndexStats(string Provider, bool Enabled, long Backlog, long Embedded, long Vectors, double? ItemsPerSecond, DateTimeOffset? LastIndexedAt, long CachedVectors);

/// <summary>Reads the embedding indexer's progress and the store's backlog.</summary>
public sealed class SearchIndexStatus(EmbeddingModel model, EmbeddingIndexer indexer, IEmbeddingStore store, IEnumerable<ISecondaryRanker> rankers)
{
    /// <summary>The index's state now.</summary>
    public async Task<SearchIndexStats> GetAsync(CancellationToken cancellationToken = default)
    {
        var backlog = model.Generator is null ? 0 : await store.BacklogAsync(model.Name, cancellationToken).ConfigureAwait(false);
        var seconds = indexer.EmbeddingTime.TotalSeconds;
        return new SearchIndexStats(
            model.Generator is null ? EmbeddingModelOptions.None : model.Name,
            model.Generator is not null,
            backlog,
            indexer.Embedded,
            indexer.Vectors,
            seconds > 0 ? Math.Round(indexer.Embedded / seconds, 1) : null,
            indexer.LastIndexedAt,
            rankers.OfType<VectorRanker>().Sum(r => r.CachedVectors));
    }
}
