using System.Text.Json;
using Continuum.Agents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore;

/// <summary>The agent registry, the collaboration hub and shared memory.</summary>
internal static class AgentEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var agents = api.MapGroup("/agents").WithTags("Agents");
        agents.MapPut("/{sessionId}", RegisterAsync).WithSummary("Register a session as an agent (again: update it).");
        agents.MapGet("", ListAsync).WithSummary("Agents by status and capability; active ones unless all=true.");
        agents.MapGet("/stats", StatsAsync).WithSummary("The registry and shared memory in numbers.");
        agents.MapGet("/{sessionId}", GetAsync).WithSummary("One agent.");
        agents.MapPost("/{sessionId}/ping", PingAsync).WithSummary("A heartbeat.");
        agents.MapPatch("/{sessionId}", StatusAsync).WithSummary("Set the status (active, working, idle, blocked, offline) and current task.");
        agents.MapGet("/{sessionId}/inbox", InboxAsync).WithSummary("The session's messages, oldest first; type and unread filters.");

        var messages = api.MapGroup("/messages").WithTags("Agents");
        messages.MapPost("", SendAsync).WithSummary("Send a message; no 'to' broadcasts to every registered session of the namespace but the sender.");
        messages.MapPost("/{id:long}/ack", AcknowledgeAsync).WithSummary("Acknowledge a message (for sessionId, or for every recipient).");
        messages.MapGet("/{id:long}/thread", ThreadAsync).WithSummary("The whole thread a message belongs to.");

        var shared = api.MapGroup("/shared").WithTags("Shared memory");
        shared.MapPut("/{ns}/{key}", SetAsync).WithSummary("Write the next version of a key; expectedVersion makes it a compare-and-set (409 when stale).");
        shared.MapGet("/{ns}/{key}", GetEntryAsync).WithSummary("The latest live version, or every version with all=true.");
        shared.MapGet("/{ns}", SearchAsync).WithSummary("The latest live entries by glob pattern, tags (all of them, comma separated) and author session.");
        shared.MapDelete("/{ns}/{key}", DeleteAsync).WithSummary("Delete a key (recorded as a version).");
    }

    private static async Task<Ok<Agent>> RegisterAsync(string sessionId, AgentRegistration body, IAgentService agents, CancellationToken cancellationToken) =>
        TypedResults.Ok(await agents.RegisterAsync(sessionId, RequestBody.Require(body), cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<AgentList>> ListAsync(string? status, string? capability, bool? all, string? @namespace, IAgentService agents, CancellationToken cancellationToken) =>
        TypedResults.Ok(new AgentList(await agents.ListAgentsAsync(new AgentQuery(status, capability, all ?? false, @namespace), cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<AgentsAndShared>> StatsAsync(string? @namespace, IAgentService agents, CancellationToken cancellationToken) =>
        TypedResults.Ok(new AgentsAndShared(
            await agents.GetAgentStatsAsync(@namespace, cancellationToken).ConfigureAwait(false),
            await agents.GetSharedStatsAsync(cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<Agent>> GetAsync(string sessionId, IAgentService agents, CancellationToken cancellationToken) =>
        TypedResults.Ok(await agents.GetAgentAsync(sessionId, cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<Agent>> PingAsync(string sessionId, IAgentService agents, CancellationToken cancellationToken) =>
        TypedResults.Ok(await agents.PingAsync(sessionId, cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<Agent>> StatusAsync(string sessionId, StatusBody body, IAgentService agents, CancellationToken cancellationToken)
    {
        var status = RequestBody.Require(body).Status ?? throw new Errors.ValidationException("status", "is required.");
        return TypedResults.Ok(await agents.SetStatusAsync(sessionId, status, body.CurrentTask, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Ok<MessageList>> InboxAsync(string sessionId, string? type, bool? unread, long? after, int? limit, IAgentService agents, CancellationToken cancellationToken) =>
        TypedResults.Ok(new MessageList(await agents.InboxAsync(sessionId, type, unread ?? false, after ?? 0, limit, cancellationToken).ConfigureAwait(false)));

    private static async Task<Created<HubMessage>> SendAsync(SendMessage body, IAgentService agents, CancellationToken cancellationToken)
    {
        var sent = await agents.SendAsync(RequestBody.Require(body), cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/messages/{sent.Id}/thread", sent);
    }

    private static async Task<Ok<AckResult>> AcknowledgeAsync(long id, string? sessionId, IAgentService agents, CancellationToken cancellationToken) =>
        TypedResults.Ok(new AckResult(await agents.AcknowledgeAsync(id, sessionId, cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<MessageList>> ThreadAsync(long id, IAgentService agents, CancellationToken cancellationToken) =>
        TypedResults.Ok(new MessageList(await agents.ThreadAsync(id, cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<SharedEntry>> SetAsync(string ns, string key, SharedWrite body, IAgentService agents, CancellationToken cancellationToken) =>
        TypedResults.Ok(await agents.SetSharedAsync(ns, key, RequestBody.Require(body), cancellationToken).ConfigureAwait(false));

    private static async Task<IResult> GetEntryAsync(string ns, string key, bool? all, IAgentService agents, CancellationToken cancellationToken) =>
        all == true
            ? TypedResults.Ok(new EntryList(await agents.GetSharedVersionsAsync(ns, key, cancellationToken).ConfigureAwait(false)))
            : TypedResults.Ok(await agents.GetSharedAsync(ns, key, cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<EntryList>> SearchAsync(string ns, string? pattern, string? tags, string? session, int? limit, IAgentService agents, CancellationToken cancellationToken) =>
        TypedResults.Ok(new EntryList(await agents.SearchSharedAsync(ns, pattern, SplitTags(tags), session, limit, cancellationToken).ConfigureAwait(false)));

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(string ns, string key, string? sessionId, IAgentService agents, CancellationToken cancellationToken) =>
        await agents.DeleteSharedAsync(ns, key, sessionId, cancellationToken).ConfigureAwait(false) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static string[] SplitTags(string? tags) =>
        tags is null ? [] : tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Agents.</summary>
/// <param name="Agents">The agents.</param>
public sealed record AgentList(IReadOnlyList<Agent> Agents);

/// <summary>Messages.</summary>
/// <param name="Messages">The messages, oldest first.</param>
public sealed record MessageList(IReadOnlyList<HubMessage> Messages);

/// <summary>Shared-memory entries.</summary>
/// <param name="Entries">The entries.</param>
public sealed record EntryList(IReadOnlyList<SharedEntry> Entries);

/// <summary>A status change.</summary>
/// <param name="Status">The new status.</param>
/// <param name="CurrentTask">What the agent works on.</param>
public sealed record StatusBody(string? Status, string? CurrentTask);

/// <summary>How many deliveries an acknowledgement marked.</summary>
/// <param name="Acknowledged">Deliveries acknowledged.</param>
public sealed record AckResult(int Acknowledged);

/// <summary>The registry and shared memory in numbers.</summary>
/// <param name="Agents">The registry.</param>
/// <param name="Shared">Shared memory.</param>
public sealed record AgentsAndShared(AgentStats Agents, SharedStats Shared);
