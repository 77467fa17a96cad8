using Continuum.Errors;
using Continuum.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore;

/// <summary>Sessions and their events under <c>/api/sessions</c>.</summary>
internal static class SessionEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/sessions").WithTags("Sessions");
        group.MapPost("/", OpenAsync).WithSummary("Get (resume) or create a session.");
        group.MapGet("/", ListAsync).WithSummary("List sessions, newest first, by cursor.");
        group.MapGet("/{id}", GetAsync).WithSummary("A session.");
        group.MapPatch("/{id}", UpdateAsync).WithSummary("Update title, status, expiry; merge state, preferences and metadata.");
        group.MapDelete("/{id}", DeleteAsync).WithSummary("Delete a session and its events.");
        group.MapPost("/{id}/continue", ContinueAsync).WithSummary("Continue a session on another interface.");
        group.MapPost("/{id}/fork", ForkAsync).WithSummary("Fork a session at a seq.");
        group.MapGet("/{id}/links", LinksAsync).WithSummary("Links from and to a session, oldest first; paged by limit and cursor.");
        group.MapPost("/{id}/events", AppendAsync).WithSummary("Append an event (idempotent with idempotencyKey).");
        group.MapPost("/{id}/events:batch", AppendBatchAsync).WithSummary("Append several events, all or nothing.");
        group.MapGet("/{id}/events", ListEventsAsync).WithSummary("Events after a seq, in order.");
    }

    private static async Task<Results<Created<Session>, Ok<Session>>> OpenAsync(OpenSessionRequest? request, ISessionService sessions, CancellationToken cancellationToken)
    {
        var result = await sessions.OpenAsync(RequestBody.Require(request), cancellationToken).ConfigureAwait(false);
        return result.Created
            ? TypedResults.Created($"/api/sessions/{result.Session.Id}", result.Session)
            : TypedResults.Ok(result.Session);
    }

    private static async Task<Ok<SessionList>> ListAsync(ISessionService sessions, string? userId, string? @interface, string? status, string? agentId, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await sessions.ListAsync(new SessionQuery
        {
            UserId = userId,
            Interface = @interface,
            Status = status,
            AgentId = agentId,
            Limit = limit,
            Cursor = cursor,
        }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new SessionList(page.Items, page.Next));
    }

    private static async Task<Ok<Session>> GetAsync(string id, ISessionService sessions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sessions.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Session", id));

    private static async Task<Ok<Session>> UpdateAsync(string id, SessionPatch? patch, ISessionService sessions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sessions.UpdateAsync(id, RequestBody.Require(patch), cancellationToken).ConfigureAwait(false));

    private static async Task<NoContent> DeleteAsync(string id, ISessionService sessions, CancellationToken cancellationToken) =>
        await sessions.DeleteAsync(id, cancellationToken).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : throw new NotFoundException("Session", id);

    private static async Task<Created<Session>> ContinueAsync(string id, ContinueRequest? request, ISessionService sessions, CancellationToken cancellationToken)
    {
        var session = await sessions.ContinueAsync(id, RequestBody.Require(request), cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/sessions/{session.Id}", session);
    }

    private static async Task<Created<Session>> ForkAsync(string id, ForkRequest? request, ISessionService sessions, CancellationToken cancellationToken)
    {
        var session = await sessions.ForkAsync(id, request ?? new ForkRequest(), cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/sessions/{session.Id}", session);
    }

    private static async Task<Ok<LinkList>> LinksAsync(string id, int? limit, string? cursor, ISessionService sessions, CancellationToken cancellationToken)
    {
        _ = await sessions.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Session", id);
        var page = await sessions.GetLinksAsync(id, limit, cursor, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new LinkList(page.Items, page.Next));
    }

    private static async Task<Results<Created<SessionEvent>, Ok<SessionEvent>>> AppendAsync(string id, NewEvent? newEvent, ISessionService sessions, CancellationToken cancellationToken)
    {
        var result = await sessions.AppendAsync(id, RequestBody.Require(newEvent), cancellationToken).ConfigureAwait(false);
        return result.Existing
            ? TypedResults.Ok(result.Event)
            : TypedResults.Created($"/api/sessions/{id}/events?after={result.Event.Seq - 1}&limit=1", result.Event);
    }

    private static async Task<Created<EventList>> AppendBatchAsync(string id, EventBatch? batch, ISessionService sessions, CancellationToken cancellationToken)
    {
        var events = RequestBody.Require(batch).Events ?? throw new ValidationException("events", "is required: a list of events.");
        var results = await sessions.AppendBatchAsync(id, events, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/sessions/{id}/events", new EventList([.. results.Select(r => r.Event)], null));
    }

    private static async Task<Ok<EventList>> ListEventsAsync(string id, ISessionService sessions, long? after, int? limit, CancellationToken cancellationToken)
    {
        var page = await sessions.ListEventsAsync(id, after, limit, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new EventList(page.Items, page.Next));
    }
}
