using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Continuum.ModelProviders;
using Microsoft.Extensions.Logging;

namespace Continuum.Search;

/// <summary>
/// Dense ranking when an embedding model is configured: the query's vector (with the model's query prefix) against
/// the vectors of the user's items, by exact similarity computed with <see cref="TensorPrimitives"/>. It gives two
/// rankings: <c>vector</c> (each turn, summary and memory alone) and <c>neighborhood</c> (each turn embedded with the
/// turn before it; a pair that matches ranks both of its turns). A user's turn vectors are kept in memory as
/// half-precision floats and refreshed with what is new at each search, so a search reads only the vectors added
/// since the last. A model that fails or is slow leaves the search lexical rather than failing it.
/// </summary>
public sealed partial class VectorRanker(EmbeddingModel model, IEmbeddingStore store, ISearchStore search, TimeProvider time, ILogger<VectorRanker> logger) : ISecondaryRanker
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    // A user's cached vectors are read again from the store after this long: the store may have lost some (a user
    // forgotten, events expired) and another node may have written rows out of order.
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(10);

    // At most this many vectors (half precision: 768 bytes each at 384 dimensions) are kept for all users together.
    private const long CacheBudget = 600_000;

    private readonly ConcurrentDictionary<(string Tenant, string User), UserVectors> _cache = new();

    /// <inheritdoc />
    public string Name => "vector";

    /// <summary>Vectors held in memory for all users.</summary>
    public long CachedVectors => _cache.Values.Sum(v => (long)v.Count);

    /// <inheritdoc />
    public async Task<IReadOnlyList<(SearchCandidate Item, double Score)>> RankAsync(string tenantId, SearchScope scope, string query, int limit, CancellationToken cancellationToken) =>
        (await RankAllAsync(tenantId, scope, query, limit, cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Ranker == Name).List ?? [];

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string Ranker, IReadOnlyList<(SearchCandidate Item, double Score)> List)>> RankAllAsync(string tenantId, SearchScope scope, string query, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (model.Generator is not { } generator)
        {
            return [];
        }

        float[] target;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(QueryTimeout);
            var embedded = await generator.GenerateAsync([model.QueryPrefix + query], cancellationToken: timeout.Token).ConfigureAwait(false);
            target = embedded[0].Vector.ToArray();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogQueryFailed(logger, ex.GetType().Name);
            return [];
        }

        var turns = new TopK(limit);
        var windows = new TopK(limit);
        var derived = new TopK(limit);
        var onlyUser = scope is { UserId: { } user, SessionId: null };
        if (onlyUser)
        {
            // Turns from the cache; summaries and memories (few, and rewritten) from the store.
            var cached = await CachedAsync(tenantId, scope.UserId!, cancellationToken).ConfigureAwait(false);
            cached.Score(target, turns, windows);
            foreach (var (kind, row, vector) in await store.UserVectorsAsync(tenantId, scope.UserId!, model.Name, ["summary", "memory"], 0, cancellationToken).ConfigureAwait(false))
            {
                if (vector.Length == target.Length)
                {
                    derived.Offer(kind, row, TensorPrimitives.Dot(target, vector) / Norm(vector));
                }
            }
        }
        else
        {
            foreach (var (kind, row, vector) in await store.VectorsAsync(tenantId, scope, model.Name, cancellationToken).ConfigureAwait(false))
            {
                if (vector.Length == target.Length)
                {
                    (kind == "window" ? windows : kind == "event" ? turns : derived).Offer(kind, row, TensorPrimitives.CosineSimilarity(target, vector));
                }
            }
        }

        // The best of the turns and of the summaries and memories, as one ranking.
        var best = turns.Best().Concat(derived.Best()).OrderByDescending(x => x.Score).Take(limit).ToList();
        var windowBest = windows.Best();
        var items = (await store.ItemsAsync(tenantId, [.. best.Select(b => (b.Kind, b.Row)).Concat(windowBest.Select(w => ("event", w.Row))).Distinct()], cancellationToken).ConfigureAwait(false))
            .ToDictionary(i => (i.Kind, i.Row));
        var vectorRanking = best.Where(b => items.ContainsKey((b.Kind, b.Row)) && InScope(items[(b.Kind, b.Row)], scope))
            .Select(b => (items[(b.Kind, b.Row)], (double)b.Score)).ToList();

        // A neighbourhood vector covers its turn and the turn before it: both rank with its score.
        var anchors = windowBest.Where(w => items.ContainsKey(("event", w.Row))).Select(w => (Item: items[("event", w.Row)], w.Score)).Where(w => w.Item.SessionId is not null && w.Item.Seq is not null).ToList();
        var before = anchors.Count == 0 ? [] : (await search.EventsAroundAsync(tenantId, [.. anchors.Select(a => (a.Item.SessionId!, a.Item.Seq!.Value - 1))], 0, cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => (e.SessionId!, e.Seq!.Value));
        var neighborhood = new Dictionary<(string, long), (SearchCandidate Item, double Score)>();
        foreach (var (item, score) in anchors)
        {
            Credit(item, score);
            if (before.TryGetValue((item.SessionId!, item.Seq!.Value - 1), out var previous))
            {
                Credit(previous, score);
            }
        }

        void Credit(SearchCandidate item, double score)
        {
            if (InScope(item, scope) && (!neighborhood.TryGetValue((item.Kind, item.Row), out var known) || known.Score < score))
            {
                neighborhood[(item.Kind, item.Row)] = (item, score);
            }
        }

        var neighborhoodRanking = neighborhood.Values.OrderByDescending(x => x.Score).Take(limit).ToList();
        return [(Name, vectorRanking), ("neighborhood", neighborhoodRanking)];
    }

    private static float Norm(float[] vector) => Math.Max(1e-9f, TensorPrimitives.Norm(vector));

    private static bool InScope(SearchCandidate c, SearchScope scope) =>
        (scope.From is null || c.CreatedAt >= scope.From) && (scope.To is null || c.CreatedAt <= scope.To)
        && (scope.AgentId is null || c.AgentId == scope.AgentId)
        && (scope.Metadata is not { Count: > 0 } m || (c.Kind == "event" && m.All(p => c.Metadata is { ValueKind: System.Text.Json.JsonValueKind.Object } md
            && md.TryGetProperty(p.Key, out var v) && System.Text.Json.JsonElement.DeepEquals(v, p.Value))));

    private async Task<UserVectors> CachedAsync(string tenantId, string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var key = (tenantId, userId);
        var entry = _cache.GetOrAdd(key, _ => new UserVectors(now));
        if (now - entry.LoadedAt > CacheLifetime)
        {
            _cache.TryUpdate(key, new UserVectors(now), entry);
            entry = _cache[key];
        }

        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var added = await store.UserVectorsAsync(tenantId, userId, model.Name, ["event", "window"], entry.LastRow, cancellationToken).ConfigureAwait(false);
            entry.Add(added);
        }
        finally
        {
            entry.Gate.Release();
        }

        entry.UsedAt = now;
        if (CachedVectors > CacheBudget)
        {
            // Least recently searched users leave first; the one searching now stays.
            foreach (var (k, v) in _cache.Where(c => c.Key != key).OrderBy(c => c.Value.UsedAt).ToList())
            {
                _cache.TryRemove(k, out _);
                if (CachedVectors <= CacheBudget)
                {
                    break;
                }
            }
        }

        return entry;
    }

    // One user's turn and neighbourhood vectors, normalized, as half-precision floats in blocks (a new block when one
    // fills, so adding never copies what is there). Readers take a snapshot of the block list and counts.
    private sealed class UserVectors(DateTimeOffset loadedAt)
    {
        private const int BlockRows = 4096;
        private readonly List<Block> _blocks = [];
        private volatile (Block Block, int Rows)[] _snapshot = [];

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public DateTimeOffset LoadedAt { get; } = loadedAt;

        public DateTimeOffset UsedAt { get; set; } = loadedAt;

        public long LastRow { get; private set; }

        public int Count { get; private set; }

        public void Add(IReadOnlyList<(string Kind, long Row, float[] Vector)> vectors)
        {
            if (vectors.Count == 0)
            {
                return;
            }

            var dimensions = vectors[0].Vector.Length;
            var normalized = new float[dimensions];
            foreach (var (kind, row, vector) in vectors)
            {
                if (vector.Length != dimensions)
                {
                    continue;
                }

                if (_blocks.Count == 0 || _blocks[^1].Full || _blocks[^1].Dimensions != dimensions)
                {
                    _blocks.Add(new Block(dimensions, BlockRows));
                }

                TensorPrimitives.Divide(vector, Norm(vector), normalized);
                _blocks[^1].Add(kind == "window", row, normalized);
                LastRow = Math.Max(LastRow, row);
                Count++;
            }

            // Readers see the rows filled when the snapshot was taken; rows added later wait for the next search.
            _snapshot = [.. _blocks.Select(b => (b, b.Rows))];
        }

        public void Score(float[] target, TopK turns, TopK windows)
        {
            var scratch = new float[target.Length];
            foreach (var (block, rows) in _snapshot)
            {
                if (block.Dimensions != target.Length)
                {
                    continue;
                }

                for (var i = 0; i < rows; i++)
                {
                    TensorPrimitives.ConvertToSingle(block.Vector(i), scratch);
                    var score = TensorPrimitives.Dot(target, scratch);
                    (block.IsWindow[i] ? windows : turns).Offer(block.IsWindow[i] ? "window" : "event", block.RowIds[i], score);
                }
            }
        }
    }

    private sealed class Block(int dimensions, int capacity)
    {
        private readonly Half[] _values = new Half[dimensions * capacity];

        public int Dimensions { get; } = dimensions;

        public long[] RowIds { get; } = new long[capacity];

        public bool[] IsWindow { get; } = new bool[capacity];

        public int Rows { get; private set; }

        public bool Full => Rows == RowIds.Length;

        public ReadOnlySpan<Half> Vector(int i) => _values.AsSpan(i * Dimensions, Dimensions);

        public void Add(bool window, long row, ReadOnlySpan<float> vector)
        {
            TensorPrimitives.ConvertToHalf(vector, _values.AsSpan(Rows * Dimensions, Dimensions));
            RowIds[Rows] = row;
            IsWindow[Rows] = window;
            Rows++;
        }
    }

    // The best items by score, kept in a min-heap of at most k.
    private sealed class TopK(int k)
    {
        private readonly PriorityQueue<(string Kind, long Row), float> _heap = new();

        public void Offer(string kind, long row, float score)
        {
            if (_heap.Count < k)
            {
                _heap.Enqueue((kind, row), score);
            }
            else if (_heap.TryPeek(out _, out var worst) && score > worst)
            {
                _heap.EnqueueDequeue((kind, row), score);
            }
        }

        public List<(string Kind, long Row, float Score)> Best()
        {
            var list = new List<(string Kind, long Row, float Score)>(_heap.Count);
            while (_heap.TryDequeue(out var key, out var score))
            {
                list.Add((key.Kind, key.Row, score));
            }

            list.Reverse();
            return list;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The query could not be embedded ({Error}); this search is lexical only")]
    private static partial void LogQueryFailed(ILogger logger, string error);
}
