using Continuum.Search;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore;

/// <summary>Search over a user's history.</summary>
internal static class SearchEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/search", SearchAsync).WithTags("Search").WithSummary("Search a user's (or a session's) events, summaries and memories; each result says why it matched.");
    }

    private static async Task<Ok<SearchResponse>> SearchAsync(SearchRequest body, ISearchService search, CancellationToken cancellationToken) =>
        TypedResults.Ok(await search.SearchAsync(RequestBody.Require(body), cancellationToken).ConfigureAwait(false));
}
