using System.Numerics.Tensors;
using Continuum.ModelProviders;
using Microsoft.Extensions.Logging;

namespace Continuum.Search;

/// <summary>
/// Dense ranking when an embedding model is configured: the query's vector against the vectors of the user's items,
/// by exact cosine similarity (<see cref="TensorPrimitives.CosineSimilarity(ReadOnlySpan{float}, ReadOnlySpan{float})"/>).
/// A model that fails or is slow leaves the search lexical rather than failing it.
/// </summary>
public sealed partial class VectorRanker(EmbeddingModel model, IEmbeddingStore store, ILogger<VectorRanker> logger) : ISecondaryRanker
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public string Name => "vector";

    /// <inheritdoc />
    public async Task<IReadOnlyList<(SearchCandidate Item, double Score)>> RankAsync(string tenantId, SearchScope scope, string query, int limit, CancellationToken cancellationToken)
    {
        if (model.Generator is not { } generator)
        {
            return [];
        }

        float[] target;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(QueryTimeout);
            var embedded = await generator.GenerateAsync([query], cancellationToken: timeout.Token).ConfigureAwait(false);
            target = embedded[0].Vector.ToArray();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogQueryFailed(logger, ex.GetType().Name);
            return [];
        }

        var vectors = await store.VectorsAsync(tenantId, scope, model.Name, cancellationToken).ConfigureAwait(false);
        var best = new PriorityQueue<(string Kind, long Row), float>();
        foreach (var (kind, row, vector) in vectors)
        {
            if (vector.Length != target.Length)
            {
                continue;
            }

            var score = TensorPrimitives.CosineSimilarity(target, vector);
            if (best.Count < limit)
            {
                best.Enqueue((kind, row), score);
            }
            else if (best.TryPeek(out _, out var worst) && score > worst)
            {
                best.EnqueueDequeue((kind, row), score);
            }
        }

        var ranked = new List<((string Kind, long Row) Key, float Score)>(best.Count);
        while (best.TryDequeue(out var key, out var score))
        {
            ranked.Add((key, score));
        }

        ranked.Reverse();
        var items = (await store.ItemsAsync(tenantId, [.. ranked.Select(r => r.Key)], cancellationToken).ConfigureAwait(false))
            .ToDictionary(i => (i.Kind, i.Row));
        return [.. ranked.Where(r => items.ContainsKey(r.Key)).Select(r => (items[r.Key], (double)r.Score))];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The query could not be embedded ({Error}); this search is lexical only")]
    private static partial void LogQueryFailed(ILogger logger, string error);
}
