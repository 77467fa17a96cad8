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
        agents.MapPut("/{sessionId}", RegisterAsync).WithSummary("Register a session as an agent (201), or update its registration (200).");
        agents.MapGet("", ListAsync).WithSummary("Agents by status and capability, in registration order; active ones unless all=true; paged by limit and cursor.");
        agents.MapGet("/stats", StatsAsync).WithSummary("The registry and shared memory in numbers.");
        agents.MapGet("/{sessionId}", GetAsync).WithSummary("One agent.");
        agents.MapPost("/{sessionId}/ping", PingAsync).WithSummary("A heartbeat.");
        agents.MapPatch("/{sessionId}", StatusAsync).WithSummary("Set the status (active, working, idle, blocked, offline) and current task.");
        agents.MapGet("/{sessionId}/inbox", InboxAsync).WithSummary("The session's messages, oldest first; type and unread filters; paged by limit and cursor.");

        var messages = api.MapGroup("/messages").WithTags("Agents");
        messages.MapPost("", SendAsync).WithSummary("Send a message (201); no 'to' broadcasts to every registered session of the namespace but the sender.");
        messages.MapGet("/{id:long}", GetMessageAsync).WithSummary("One message as sent.");
        messages.MapPost("/{id:long}/ack", AcknowledgeAsync).WithSummary("Acknowledge a message (for sessionId, or for every recipient).");
        messages.MapGet("/{id:long}/thread", ThreadAsync).WithSummary("The thread a message belongs to, oldest first; paged by limit and cursor.");

        var shared = api.MapGroup("/shared").WithTags("Shared memory");
        shared.MapPut("/{ns}/{key}", SetAsync).WithSummary("Write the next version of a key: 201 when the key had no live value, 200 otherwise; expectedVersion makes it a compare-and-set (409 when stale).");
        shared.MapGet("/{ns}/{key}", GetEntryAsync).WithSummary("The latest live version, or every version with all=true (paged by limit and cursor).");
        shared.MapGet("/{ns}", SearchAsync).WithSummary("The latest live entries by key, by glob pattern, tags (all of them, comma separated) and author session; paged by limit and cursor.");
        shared.MapDelete("/{ns}/{key}", DeleteAsync).WithSummary("Delete a key (recorded as a version).");
    }

    private static async Task<Results<Created<Agent>, Ok<Agent>>> RegisterAsync(string sessionId, AgentRegistration body, IAgentRegistry registry, CancellationToken cancellationToken)
    {
        var (agent, created) = await registry.RegisterAsync(sessionId, RequestBody.Require(body), cancellationToken).ConfigureAwait(false);
        return created ? TypedResults.Created($"/api/agents/{Uri.EscapeDataString(agent.SessionId)}", agent) : TypedResults.Ok(agent);
    }

    private static async Task<Ok<AgentList>> ListAsync(string? status, string? capability, bool? all, string? @namespace, int? limit, string? cursor, IAgentRegistry registry, CancellationToken cancellationToken)
    {
        var page = await registry.ListAgentsAsync(new AgentQuery(status, capability, all ?? false, @namespace, limit, cursor), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new AgentList(page.Items, page.Next));
    }

    private static async Task<Ok<AgentsAndShared>> StatsAsync(string? @namespace, IAgentRegistry registry, ISharedMemory shared, CancellationToken cancellationToken) =>
        TypedResults.Ok(new AgentsAndShared(
            await registry.GetAgentStatsAsync(@namespace, cancellationToken).ConfigureAwait(false),
            await shared.GetSharedStatsAsync(cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<Agent>> GetAsync(string sessionId, IAgentRegistry registry, CancellationToken cancellationToken) =>
        TypedResults.Ok(await registry.GetAgentAsync(sessionId, cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<Agent>> PingAsync(string sessionId, IAgentRegistry registry, CancellationToken cancellationToken) =>
        TypedResults.Ok(await registry.PingAsync(sessionId, cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<Agent>> StatusAsync(string sessionId, StatusBody body, IAgentRegistry registry, CancellationToken cancellationToken)
    {
        var status = RequestBody.Require(body).Status ?? throw new Errors.ValidationException("status", "is required.");
        return TypedResults.Ok(await registry.SetStatusAsync(sessionId, status, body.CurrentTask, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Ok<MessageList>> InboxAsync(string sessionId, string? type, bool? unread, long? after, int? limit, string? cursor, IMessageHub hub, CancellationToken cancellationToken)
    {
        var page = await hub.InboxAsync(sessionId, new InboxQuery(type, unread ?? false, after ?? 0, limit, cursor), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new MessageList(page.Items, page.Next));
    }

    private static async Task<Created<HubMessage>> SendAsync(SendMessage body, IMessageHub hub, CancellationToken cancellationToken)
    {
        var sent = await hub.SendAsync(RequestBody.Require(body), cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/messages/{sent.Id}", sent);
    }

    private static async Task<Ok<HubMessage>> GetMessageAsync(long id, IMessageHub hub, CancellationToken cancellationToken) =>
        TypedResults.Ok(await hub.GetMessageAsync(id, cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<AckResult>> AcknowledgeAsync(long id, string? sessionId, IMessageHub hub, CancellationToken cancellationToken) =>
        TypedResults.Ok(new AckResult(await hub.AcknowledgeAsync(id, sessionId, cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<MessageList>> ThreadAsync(long id, int? limit, string? cursor, IMessageHub hub, CancellationToken cancellationToken)
    {
        var page = await hub.ThreadAsync(id, limit, cursor, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new MessageList(page.Items, page.Next));
    }

    private static async Task<Results<Created<SharedEntry>, Ok<SharedEntry>>> SetAsync(string ns, string key, SharedWrite body, ISharedMemory shared, CancellationToken cancellationToken)
    {
        var (entry, created) = await shared.SetSharedAsync(ns, key, RequestBody.Require(body), cancellationToken).ConfigureAwait(false);
        return created
            ? TypedResults.Created($"/api/shared/{Uri.EscapeDataString(entry.Namespace)}/{Uri.EscapeDataString(entry.Key)}", entry)
            : TypedResults.Ok(entry);
    }

    private static async Task<Results<Ok<EntryList>, Ok<SharedEntry>>> GetEntryAsync(string ns, string key, bool? all, int? limit, string? cursor, ISharedMemory shared, CancellationToken cancellationToken)
    {
        if (all != true)
        {
            return TypedResults.Ok(await shared.GetSharedAsync(ns, key, cancellationToken).ConfigureAwait(false));
        }

        var page = await shared.GetSharedVersionsAsync(ns, key, limit, cursor, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new EntryList(page.Items, page.Next));
    }

    private static async Task<Ok<EntryList>> SearchAsync(string ns, string? pattern, string? tags, string? session, int? limit, string? cursor, ISharedMemory shared, CancellationToken cancellationToken)
    {
        var page = await shared.SearchSharedAsync(ns, new SharedQuery(pattern, SplitTags(tags), session, limit, cursor), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new EntryList(page.Items, page.Next));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(string ns, string key, string? sessionId, ISharedMemory shared, CancellationToken cancellationToken) =>
        await shared.DeleteSharedAsync(ns, key, sessionId, cancellationToken).ConfigureAwait(false) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static string[] SplitTags(string? tags) =>
        tags is null ? [] : tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>One page of agents.</summary>
/// <param name="Agents">The agents, in registration order.</param>
/// <param name="Next">The cursor of the next page; null on the last.</param>
public sealed record AgentList(IReadOnlyList<Agent> Agents, string? Next);

/// <summary>One page of messages.</summary>
/// <param name="Messages">The messages, oldest first.</param>
/// <param name="Next">The cursor of the next page; null on the last.</param>
public sealed record MessageList(IReadOnlyList<HubMessage> Messages, string? Next);

/// <summary>One page of shared-memory entries.</summary>
/// <param name="Entries">The entries: by key for a search, oldest first for a key's versions.</param>
/// <param name="Next">The cursor of the next page; null on the last.</param>
public sealed record EntryList(IReadOnlyList<SharedEntry> Entries, string? Next);

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
