namespace Continuum.Search;

/// <summary>Ranks items for a query by another signal than words (vectors, when a model is configured).</summary>
public interface ISecondaryRanker
{
    /// <summary>The ranker's name in explanations.</summary>
    string Name { get; }

    /// <summary>The best items for the query, best first, with their scores; empty when it cannot rank now.</summary>
    Task<IReadOnlyList<(SearchCandidate Item, double Score)>> RankAsync(string tenantId, SearchScope scope, string query, int limit, CancellationToken cancellationToken);
}
