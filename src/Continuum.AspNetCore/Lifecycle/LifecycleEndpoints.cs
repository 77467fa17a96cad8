using Continuum.AspNetCore.Security;
using Continuum.Errors;
using Continuum.Lifecycle;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore.Lifecycle;

/// <summary>Forgetting users, export and import.</summary>
internal static class LifecycleEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        // Admin only: these operations erase or move a tenant's data whole.
        var admin = api.MapGroup("").WithTags(AuditEndpoints.AdminTag).RequireScope(Continuum.Security.ApiScopes.Admin);
        admin.MapGet("/export", (HttpContext context, ILifecycleService lifecycle, CancellationToken cancellationToken) =>
            ExportAsync(context, new ExportScope(ExportScope.Tenant, null), lifecycle, cancellationToken))
            .Produces(StatusCodes.Status200OK, contentType: ExportFormat.MediaType).WithSummary("The whole tenant as JSON Lines (docs/export.md), streamed.");
        admin.MapGet("/users/{id}/export", (string id, HttpContext context, ILifecycleService lifecycle, CancellationToken cancellationToken) =>
            ExportAsync(context, new ExportScope(ExportScope.User, id), lifecycle, cancellationToken))
            .Produces(StatusCodes.Status200OK, contentType: ExportFormat.MediaType).WithSummary("A user (identities, sessions, events, summaries, memories, entities and facts) as JSON Lines, streamed.");
        admin.MapGet("/sessions/{id}/export", (string id, HttpContext context, ILifecycleService lifecycle, CancellationToken cancellationToken) =>
            ExportAsync(context, new ExportScope(ExportScope.Session, id), lifecycle, cancellationToken))
            .Produces(StatusCodes.Status200OK, contentType: ExportFormat.MediaType).WithSummary("A session (its links, events, summaries, entities and memories) as JSON Lines, streamed.");
        admin.MapGet("/projects/{project}/export", (string project, HttpContext context, ILifecycleService lifecycle, CancellationToken cancellationToken) =>
            ExportAsync(context, new ExportScope(ExportScope.Project, project), lifecycle, cancellationToken))
            .Produces(StatusCodes.Status200OK, contentType: ExportFormat.MediaType).WithSummary("A project (handoffs, knowledge base, shared-memory namespace) as JSON Lines, streamed.");
        admin.MapPost("/import", ImportAsync).WithSummary("Import an export (body application/x-ndjson, streamed, in batches); records already stored are skipped.");
        admin.MapDelete("/users/{id}", ForgetAsync).WithSummary("With forget=true: erase everything about the user (sessions, events, summaries, memories, entities, embeddings, shared entries of their sessions); answers what was erased.");
    }

    private static async Task<Ok<ForgetResult>> ForgetAsync(string id, bool? forget, ILifecycleService lifecycle, CancellationToken cancellationToken)
    {
        if (forget != true)
        {
            throw new ValidationException("forget", "must be true: deleting a user erases everything about them; pass forget=true to confirm.");
        }

        return TypedResults.Ok(await lifecycle.ForgetUserAsync(id, cancellationToken).ConfigureAwait(false));
    }

    private static async Task ExportAsync(HttpContext context, ExportScope scope, ILifecycleService lifecycle, CancellationToken cancellationToken)
    {
        // Nothing is written before the scope is checked, so an unknown user or session is still a problem document.
        context.Response.ContentType = ExportFormat.MediaType;
        await lifecycle.ExportAsync(scope, context.Response.Body, null, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Ok<ImportResult>> ImportAsync(HttpRequest request, ILifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var media = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(media, ExportFormat.MediaType, StringComparison.OrdinalIgnoreCase) && !string.Equals(media, "application/jsonl", StringComparison.OrdinalIgnoreCase))
        {
            throw new ContinuumException("unsupported-media-type", 415, $"An import is JSON Lines: send Content-Type: {ExportFormat.MediaType}.");
        }

        // An export can be far larger than any other request: it is read line by line, each line held to the limit.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        return TypedResults.Ok(await lifecycle.ImportAsync(request.Body, null, cancellationToken).ConfigureAwait(false));
    }
}
