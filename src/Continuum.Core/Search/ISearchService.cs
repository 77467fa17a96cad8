namespace Continuum.Search;

/// <summary>Search over a user's events, summaries and memories.</summary>
public interface ISearchService
{
    /// <summary>The best items for the query, each with why it matched.</summary>
    Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default);
}
