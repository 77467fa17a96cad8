using Continuum.Context;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore;

/// <summary>Context, compression and entities.</summary>
internal static class ContextEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/sessions/{id}").WithTags("Context");
        group.MapGet("/context", BuildAsync).Produces<SessionContext>()
            .WithSummary("What a model would receive for the session, within a token budget.")
            .WithDescription("`include` (comma-separated: messages, prompt, budget, tokens, carriedOver, summaries, memories, entities, topics, recent) returns only those fields.");
        group.MapPost("/clear", ClearAsync).WithSummary("Hide the session's messages so far from its context; summaries stay.");
        group.MapPost("/summarize", SummarizeAsync).WithSummary("Fold the older part of the session into a summary now.");
        group.MapGet("/summaries", SummariesAsync).WithSummary("The session's current summaries, oldest first; paged by limit and cursor.");
        api.MapGet("/users/{id}/entities", EntitiesAsync).WithTags("Context").WithSummary("The user's entities, most recently seen first: first and last seen, mentions, sessions and interfaces; paged by limit and cursor.");
    }

    private static async Task<IResult> BuildAsync(string id, string? query, int? budget, string? include, IContextService context, CancellationToken cancellationToken)
    {
        var parts = ContextParts.Parse(include);
        return ContextParts.For(await context.BuildAsync(id, query, budget, cancellationToken).ConfigureAwait(false), parts);
    }

    private static async Task<NoContent> ClearAsync(string id, IContextService context, CancellationToken cancellationToken)
    {
        await context.ClearAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<SummarizeResult>> SummarizeAsync(string id, IContextService context, CancellationToken cancellationToken)
    {
        var written = await context.SummarizeAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new SummarizeResult(written, await context.GetSummariesAsync(id, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<Ok<SummaryList>> SummariesAsync(string id, int? limit, string? cursor, IContextService context, CancellationToken cancellationToken)
    {
        var page = await context.ListSummariesAsync(id, limit, cursor, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new SummaryList(page.Items, page.Next));
    }

    private static async Task<Ok<EntityList>> EntitiesAsync(string id, int? limit, string? cursor, IContextService context, CancellationToken cancellationToken)
    {
        var page = await context.GetUserEntitiesAsync(id, limit, cursor, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new EntityList(page.Items, page.Next));
    }
}
