using System.Text.Json;
using Continuum.Handoffs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Continuum.AspNetCore;

/// <summary>Handoffs, the project knowledge base and the briefing.</summary>
internal static class HandoffEndpoints
{
    private const string Markdown = "text/markdown; charset=utf-8";

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("").WithTags("Handoffs");
        group.MapPost("/handoffs", CreateAsync).WithSummary("Store a handoff (Continuum's layout or the session-context layout) and fold it into the project's knowledge base.");
        group.MapGet("/handoffs", ListAsync).WithSummary("A project's handoffs in time order, optionally between two dates: the timeline and the chain of sessions.");
        group.MapGet("/handoffs/{id}", GetAsync).WithSummary("A handoff as JSON, or as the handoff document with Accept: text/markdown.");
        group.MapGet("/knowledge", KnowledgeAsync).WithSummary("A project's knowledge base now, or as it was at asOf.");
        group.MapGet("/briefing", BriefingAsync).WithSummary("The Markdown a new session reads first, within a token budget (default 2,000); JSON with Accept: application/json.");
        group.MapGet("/projects", ProjectsAsync).WithSummary("The projects that have handoffs.");
        api.MapPost("/sessions/{id}/handoff-draft", DraftAsync).WithTags("Handoffs").WithSummary("A draft handoff picked out of the session's events and summaries, not stored.");
    }

    private static async Task<Created<HandoffReceipt>> CreateAsync(JsonElement body, string? project, IHandoffService handoffs, Microsoft.Extensions.Options.IOptions<ContinuumOptions> options, CancellationToken cancellationToken)
    {
        var receipt = await handoffs.CreateAsync(HandoffJson.Parse(body, project, options.Value.Limits), cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/handoffs/{receipt.Handoff.Id}", receipt);
    }

    private static async Task<Ok<HandoffList>> ListAsync(string? project, string? from, string? to, int? limit, string? cursor, IHandoffService handoffs, CancellationToken cancellationToken)
    {
        var page = await handoffs.ListAsync(project!, TimeArgument.Parse(from, "from"), TimeArgument.Parse(to, "to", endOfDay: true), limit, cursor, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new HandoffList(page.Items, page.Next));
    }

    private static async Task<IResult> GetAsync(string id, HttpRequest request, IHandoffService handoffs, CancellationToken cancellationToken)
    {
        var handoff = await handoffs.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return WantsMarkdown(request, byDefault: false)
            ? TypedResults.Text(HandoffMarkdown.Render(handoff), Markdown)
            : TypedResults.Ok(handoff);
    }

    private static async Task<Ok<KnowledgeBase>> KnowledgeAsync(string? project, string? asOf, IHandoffService handoffs, CancellationToken cancellationToken) =>
        TypedResults.Ok(await handoffs.GetKnowledgeAsync(project!, TimeArgument.Parse(asOf, "asOf", endOfDay: true), cancellationToken).ConfigureAwait(false));

    private static async Task<IResult> BriefingAsync(string? project, int? budget, string? asOf, HttpRequest request, IHandoffService handoffs, CancellationToken cancellationToken)
    {
        var briefing = await handoffs.GetBriefingAsync(project!, budget, TimeArgument.Parse(asOf, "asOf", endOfDay: true), cancellationToken).ConfigureAwait(false);
        return WantsMarkdown(request, byDefault: true) ? TypedResults.Text(briefing.Markdown, Markdown) : TypedResults.Ok(briefing);
    }

    private static async Task<Ok<ProjectList>> ProjectsAsync(int? limit, string? cursor, IHandoffService handoffs, CancellationToken cancellationToken)
    {
        var page = await handoffs.ListProjectsAsync(limit, cursor, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new ProjectList(page.Items, page.Next));
    }

    private static async Task<Ok<Handoff>> DraftAsync(string id, string? project, IHandoffService handoffs, CancellationToken cancellationToken) =>
        TypedResults.Ok(await handoffs.DraftAsync(id, project, cancellationToken).ConfigureAwait(false));

    // Markdown unless the client asks for JSON (or the reverse), by the Accept header's media types.
    private static bool WantsMarkdown(HttpRequest request, bool byDefault)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return byDefault;
        }

        var markdown = accept.Where(a => a.MediaType.Equals("text/markdown", StringComparison.OrdinalIgnoreCase) || a.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Quality ?? 1).DefaultIfEmpty(-1).Max();
        var json = accept.Where(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || a.MediaType.Equals("application/problem+json", StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Quality ?? 1).DefaultIfEmpty(-1).Max();
        return markdown == json ? byDefault : markdown > json;
    }
}

/// <summary>A page of a project's handoffs.</summary>
/// <param name="Handoffs">The handoffs, oldest first.</param>
/// <param name="Next">The cursor of the next page, or null on the last.</param>
public sealed record HandoffList(IReadOnlyList<Handoff> Handoffs, string? Next);

/// <summary>A page of the projects that have handoffs.</summary>
/// <param name="Projects">Project names, in order.</param>
/// <param name="Next">The cursor of the next page, or null on the last.</param>
public sealed record ProjectList(IReadOnlyList<string> Projects, string? Next);
