using Continuum.Storage;

namespace Continuum.Memory;

/// <summary>The kinds of long-term memory.</summary>
public static class MemoryKind
{
    /// <summary>The summary of a past session, written when it closes or goes idle.</summary>
    public const string Conversation = "conversation";

    /// <summary>How the user likes things done.</summary>
    public const string Preference = "preference";

    /// <summary>A statement about an entity, valid from a time until a newer one contradicts it.</summary>
    public const string Fact = "fact";

    /// <summary>Anything else worth keeping.</summary>
    public const string Note = "note";

    /// <summary>Every kind.</summary>
    public static readonly IReadOnlyList<string> All = [Conversation, Preference, Fact, Note];
}

/// <summary>Where a memory came from: a session and, when known, the event.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Seq">The event's seq in it.</param>
public sealed record MemorySource(string SessionId, long? Seq = null);

/// <summary>A long-term memory of a user (and optionally of one agent).</summary>
public sealed record MemoryItem
{
    /// <summary>The id (<c>mem_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The user it belongs to.</summary>
    public required string UserId { get; init; }

    /// <summary>The agent it belongs to; null for the user's memories shared by all agents.</summary>
    public string? AgentId { get; init; }

    /// <summary>The session it was written in (the session a conversation memory summarizes).</summary>
    public string? SessionId { get; init; }

    /// <summary>conversation, preference, fact or note.</summary>
    public required string Kind { get; init; }

    /// <summary>The text.</summary>
    public required string Content { get; init; }

    /// <summary>What a fact is about (for example <c>gpu temp</c>); facts with the same subject supersede each other.</summary>
    public string? Subject { get; init; }

    /// <summary>The events it came from.</summary>
    public IReadOnlyList<MemorySource> Sources { get; init; } = [];

    /// <summary>Since when it holds.</summary>
    public required DateTimeOffset ValidFrom { get; init; }

    /// <summary>Until when it held; null while it is current.</summary>
    public DateTimeOffset? ValidTo { get; init; }

    /// <summary>The memory that replaced it, when a newer fact contradicted it.</summary>
    public string? SupersededBy { get; init; }

    /// <summary>How many times it was stated (near-duplicates merged into it count).</summary>
    public int Mentions { get; init; } = 1;

    /// <summary>When it was first written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A memory to add.</summary>
public sealed record NewMemory
{
    /// <summary>The user (required).</summary>
    public string? UserId { get; init; }

    /// <summary>The agent, for a memory of one agent only.</summary>
    public string? AgentId { get; init; }

    /// <summary>The session it came from.</summary>
    public string? SessionId { get; init; }

    /// <summary>conversation, preference, fact or note (default note).</summary>
    public string? Kind { get; init; }

    /// <summary>The text (required).</summary>
    public string? Content { get; init; }

    /// <summary>What a fact is about; derived from the text when absent.</summary>
    public string? Subject { get; init; }

    /// <summary>The events it came from.</summary>
    public IReadOnlyList<MemorySource>? Sources { get; init; }

    /// <summary>Since when it holds (default now).</summary>
    public DateTimeOffset? ValidFrom { get; init; }
}

/// <summary>A change to a memory; absent fields stay.</summary>
public sealed record MemoryPatch
{
    /// <summary>The new text.</summary>
    public string? Content { get; init; }

    /// <summary>The new kind.</summary>
    public string? Kind { get; init; }

    /// <summary>The new subject.</summary>
    public string? Subject { get; init; }
}

/// <summary>Which memories to list.</summary>
public sealed record MemoryQuery
{
    /// <summary>The user (required).</summary>
    public string? UserId { get; init; }

    /// <summary>Only this kind.</summary>
    public string? Kind { get; init; }

    /// <summary>Only this agent's memories and the user's shared ones.</summary>
    public string? AgentId { get; init; }

    /// <summary>Also memories that were superseded (their history).</summary>
    public bool IncludeHistory { get; init; }

    /// <summary>How many (default 50, at most 500), newest first.</summary>
    public int? Limit { get; init; }

    /// <summary>The <c>next</c> of the previous page.</summary>
    public string? Cursor { get; init; }
}

/// <summary>What adding a memory did.</summary>
/// <param name="Memory">The memory as stored (the merged one when it was a near-duplicate).</param>
/// <param name="Action"><c>added</c>, <c>merged</c> (into an existing near-duplicate) or <c>superseded</c> (it closed older facts).</param>
/// <param name="Superseded">The facts whose interval it closed.</param>
public sealed record MemoryWrite(MemoryItem Memory, string Action, IReadOnlyList<MemoryItem> Superseded);

/// <summary>What to do with a new memory, decided against the user's current memories.</summary>
/// <param name="MergeInto">The near-duplicate it merges into, if any.</param>
/// <param name="MergedContent">The merged memory's text.</param>
/// <param name="Supersede">The current facts it closes.</param>
/// <param name="Subject">The subject to store with it.</param>
public sealed record MemoryDecision(string? MergeInto, string? MergedContent, IReadOnlyList<string> Supersede, string? Subject);

/// <summary>A past conversation of a user.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Title">Its title, or the first words of its first message.</param>
/// <param name="Interface">Where it was held.</param>
/// <param name="Status">Its status.</param>
/// <param name="CreatedAt">When it started.</param>
/// <param name="LastActiveAt">When it was last active.</param>
/// <param name="Messages">How many messages.</param>
/// <param name="Events">How many events.</param>
/// <param name="LastMessage">The last message's text.</param>
/// <param name="LastMessageRole">Who wrote it.</param>
public sealed record Conversation(string SessionId, string? Title, string Interface, string Status, DateTimeOffset CreatedAt, DateTimeOffset LastActiveAt,
    long Messages, long Events, string? LastMessage, string? LastMessageRole);

/// <summary>Long-term memories in storage.</summary>
public interface IMemoryStore
{
    /// <summary>
    /// Adds a memory in one transaction: the user's current memories of the same kind that share words with it (and,
    /// for facts, the newest facts) are handed to <paramref name="decide"/>, whose decision (merge, supersede) is applied.
    /// </summary>
    Task<MemoryWrite> AddAsync(string tenantId, MemoryItem memory, Func<MemoryItem, IReadOnlyList<MemoryItem>, MemoryDecision> decide, CancellationToken cancellationToken);

    /// <summary>Writes (or rewrites) the conversation memory of a session.</summary>
    Task<MemoryItem> UpsertConversationAsync(string tenantId, MemoryItem memory, CancellationToken cancellationToken);

    /// <summary>One memory.</summary>
    Task<MemoryItem?> GetAsync(string tenantId, string memoryId, CancellationToken cancellationToken);

    /// <summary>Changes a memory; null when there is none.</summary>
    Task<MemoryItem?> UpdateAsync(string tenantId, string memoryId, Func<MemoryItem, MemoryItem> update, CancellationToken cancellationToken);

    /// <summary>Deletes a memory; false when there was none.</summary>
    Task<bool> DeleteAsync(string tenantId, string memoryId, CancellationToken cancellationToken);

    /// <summary>A user's memories, most recently changed first (then by id, descending), starting after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<MemoryItem>> ListAsync(string tenantId, string userId, string? kind, string? agentId, bool includeHistory, int limit, ListCursor? after, CancellationToken cancellationToken);

    /// <summary>The sessions of a user that have closed or gone idle and whose conversation memory is missing or older than their last activity.</summary>
    Task<IReadOnlyList<(string TenantId, string SessionId)>> SessionsNeedingConversationMemoryAsync(DateTimeOffset idleBefore, int limit, CancellationToken cancellationToken);

    /// <summary>A user's conversations, most recently active first (then by session id, descending), starting after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<Conversation>> ConversationsAsync(string tenantId, string userId, int limit, ListCursor? after, CancellationToken cancellationToken);
}
