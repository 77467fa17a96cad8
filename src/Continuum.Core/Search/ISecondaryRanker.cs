namespace Continuum.Search;

/// <summary>Ranks items for a query by another signal than words (vectors, when a model is configured).</summary>
public interface ISecondaryRanker
{
    /// <summary>The ranker's name in explanations.</summary>
    string Name { get; }

    /// <summary>The best items for the query, best first, with their scores; empty when it cannot rank now.</summary>
    Task<IReadOnlyList<(SearchCandidate Item, double Score)>> RankAsync(string tenantId, SearchScope scope, string query, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Every ranking this ranker makes for the query, each under its name (one ranker may give several views, as the
    /// vectors do: the turn and the turn with its neighbour). By default the one ranking of <see cref="RankAsync"/>.
    /// </summary>
    async Task<IReadOnlyList<(string Ranker, IReadOnlyList<(SearchCandidate Item, double Score)> List)>> RankAllAsync(string tenantId, SearchScope scope, string query, int limit, CancellationToken cancellationToken) =>
        [(Name, await RankAsync(tenantId, scope, query, limit, cancellationToken).ConfigureAwait(false))];
}
