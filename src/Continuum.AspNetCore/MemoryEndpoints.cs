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
        group.MapGet("", ListAsync).WithSummary("A page of a user's memories, most recently changed first; history=true adds superseded facts; pass next as cursor for the next page.");
        group.MapGet("/{id}", GetAsync).WithSummary("One memory with its sources and validity.");
        group.MapPatch("/{id}", UpdateAsync).WithSummary("Change a memory's content, kind or subject.");
        group.MapDelete("/{id}", DeleteAsync).WithSummary("Forget a memory.");
        api.MapGet("/users/{id}/conversations", ConversationsAsync).WithTags("Memory").WithSummary("A page of a user's past sessions with title, last message and counts, most recent first.");
        api.MapPost("/sessions/{id}/remember", RememberAsync).WithTags("Memory").WithSummary("Write (201) or rewrite (200) the session's conversation memory now.");
    }

    private static async Task<IResult> AddAsync(NewMemory body, IMemoryService memories, CancellationToken cancellationToken)
    {
        var write = await memories.AddAsync(RequestBody.Require(body), cancellationToken).ConfigureAwait(false);
        return write.Action == "merged" ? TypedResults.Ok(write) : TypedResults.Created($"/api/memories/{write.Memory.Id}", write);
    }

    private static async Task<Ok<MemoryList>> ListAsync(string? userId, string? kind, string? agentId, bool? history, int? limit, string? cursor, IMemoryService memories, CancellationToken cancellationToken)
    {
        var page = await memories.ListAsync(new MemoryQuery { UserId = userId, Kind = kind, AgentId = agentId, IncludeHistory = history == true, Limit = limit, Cursor = cursor }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new MemoryList(page.Items, page.Next));
    }

    private static async Task<Ok<MemoryItem>> GetAsync(string id, IMemoryService memories, CancellationToken cancellationToken) =>
        TypedResults.Ok(await memories.GetAsync(id, cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<MemoryItem>> UpdateAsync(string id, MemoryPatch body, IMemoryService memories, CancellationToken cancellationToken) =>
        TypedResults.Ok(await memories.UpdateAsync(id, RequestBody.Require(body), cancellationToken).ConfigureAwait(false));

    private static async Task<NoContent> DeleteAsync(string id, IMemoryService memories, CancellationToken cancellationToken) =>
        await memories.DeleteAsync(id, cancellationToken).ConfigureAwait(false) ? TypedResults.NoContent() : throw new NotFoundException("Memory", id);

    private static async Task<Ok<ConversationList>> ConversationsAsync(string id, int? limit, string? cursor, IMemoryService memories, CancellationToken cancellationToken)
    {
        var page = await memories.ConversationsAsync(id, limit, cursor, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new ConversationList(page.Items, page.Next));
    }

    // The conversation memory is an upsert: 201 when this call wrote it first (a rewrite keeps the first write's
    // creation time and moves its update time), 200 when it rewrote it.
    private static async Task<IResult> RememberAsync(string id, IMemoryService memories, CancellationToken cancellationToken) =>
        await memories.RememberConversationAsync(id, cancellationToken).ConfigureAwait(false) switch
        {
            null => TypedResults.NoContent(),
            { } memory when memory.CreatedAt == memory.UpdatedAt => TypedResults.Created($"/api/memories/{memory.Id}", memory),
            { } memory => TypedResults.Ok(memory),
        };
}

/// <summary>A page of memories.</summary>
/// <param name="Memories">Most recently changed first.</param>
/// <param name="Next">The cursor of the next page, or null on the last.</param>
public sealed record MemoryList(IReadOnlyList<MemoryItem> Memories, string? Next);

/// <summary>A page of a user's conversations.</summary>
/// <param name="Conversations">Most recently active first.</param>
/// <param name="Next">The cursor of the next page, or null on the last.</param>
public sealed record ConversationList(IReadOnlyList<Conversation> Conversations, string? Next);
