using Continuum.Errors;
using Continuum.Memory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore;

/// <summary>Long-term memories and a user's conversation history.</summary>
internal static class MemoryEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/memories").WithTags("Memory");
        group.MapPost("", AddAsync).WithSummary("Add a memory; a near-duplicate merges into the existing one (200), a contradicting fact closes the older one's interval.");
        group.MapGet("", ListAsync).WithSummary("A user's memories, newest first; history=true adds superseded facts.");
        group.MapGet("/{id}", GetAsync).WithSummary("One memory with its sources and validity.");
        group.MapPatch("/{id}", UpdateAsync).WithSummary("Change a memory's content, kind or subject.");
        group.MapDelete("/{id}", DeleteAsync).WithSummary("Forget a memory.");
        api.MapGet("/users/{id}/conversations", ConversationsAsync).WithTags("Memory").WithSummary("A user's past sessions with title, last message and counts, most recent first.");
        api.MapPost("/sessions/{id}/remember", RememberAsync).WithTags("Memory").WithSummary("Write (or rewrite) the session's conversation memory now.");
    }

    private static async Task<IResult> AddAsync(NewMemory body, IMemoryService memories, CancellationToken cancellationToken)
    {
        var write = await memories.AddAsync(RequestBody.Require(body), cancellationToken).ConfigureAwait(false);
        return write.Action == "merged" ? TypedResults.Ok(write) : TypedResults.Created($"/api/memories/{write.Memory.Id}", write);
    }

    private static async Task<Ok<MemoryList>> ListAsync(string? userId, string? kind, string? agentId, bool? history, int? limit, IMemoryService memories, CancellationToken cancellationToken) =>
        TypedResults.Ok(new MemoryList(await memories.ListAsync(new MemoryQuery { UserId = userId, Kind = kind, AgentId = agentId, IncludeHistory = history == true, Limit = limit }, cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<MemoryItem>> GetAsync(string id, IMemoryService memories, CancellationToken cancellationToken) =>
        TypedResults.Ok(await memories.GetAsync(id, cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<MemoryItem>> UpdateAsync(string id, MemoryPatch body, IMemoryService memories, CancellationToken cancellationToken) =>
        TypedResults.Ok(await memories.UpdateAsync(id, RequestBody.Require(body), cancellationToken).ConfigureAwait(false));

    private static async Task<NoContent> DeleteAsync(string id, IMemoryService memories, CancellationToken cancellationToken) =>
        await memories.DeleteAsync(id, cancellationToken).ConfigureAwait(false) ? TypedResults.NoContent() : throw new NotFoundException("Memory", id);

    private static async Task<Ok<ConversationList>> ConversationsAsync(string id, int? limit, IMemoryService memories, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ConversationList(await memories.ConversationsAsync(id, limit, cancellationToken).ConfigureAwait(false)));

    private static async Task<IResult> RememberAsync(string id, IMemoryService memories, CancellationToken cancellationToken) =>
        await memories.RememberConversationAsync(id, cancellationToken).ConfigureAwait(false) is { } memory
            ? TypedResults.Ok(memory)
            : TypedResults.NoContent();
}

/// <summary>A list of memories.</summary>
/// <param name="Memories">Newest first.</param>
public sealed record MemoryList(IReadOnlyList<MemoryItem> Memories);

/// <summary>A user's conversations.</summary>
/// <param name="Conversations">Most recently active first.</param>
public sealed record ConversationList(IReadOnlyList<Conversation> Conversations);
