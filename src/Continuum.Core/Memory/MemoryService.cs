using System.Text.Json;
using Continuum.Context;
using Continuum.Errors;
using Continuum.ModelProviders;
using Continuum.Search;
using Continuum.Security;
using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Tenancy;
using Continuum.Users;
using Continuum.Validation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Continuum.Memory;

/// <summary>A user's long-term memories: add (merging near-duplicates, superseding older facts), change, forget, list, search.</summary>
public interface IMemoryService
{
    /// <summary>Adds a memory; a near-duplicate merges into the existing one and a contradicting fact closes the older one.</summary>
    Task<MemoryWrite> AddAsync(NewMemory memory, CancellationToken cancellationToken = default);

    /// <summary>One memory.</summary>
    Task<MemoryItem> GetAsync(string memoryId, CancellationToken cancellationToken = default);

    /// <summary>Changes a memory's text, kind or subject.</summary>
    Task<MemoryItem> UpdateAsync(string memoryId, MemoryPatch patch, CancellationToken cancellationToken = default);

    /// <summary>Forgets a memory; false when there was none.</summary>
    Task<bool> DeleteAsync(string memoryId, CancellationToken cancellationToken = default);

    /// <summary>One page of a user's memories, most recently changed first; pass the page's <c>Next</c> as the query's cursor for the next.</summary>
    Task<Page<MemoryItem>> ListAsync(MemoryQuery query, CancellationToken cancellationToken = default);

    /// <summary>Writes (or rewrites) the conversation memory of a session: its summary, with the session as source.</summary>
    Task<MemoryItem?> RememberConversationAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>One page of a user's past conversations with title, last message and counts, most recent first.</summary>
    Task<Page<Conversation>> ConversationsAsync(string userId, int? limit, string? cursor = null, CancellationToken cancellationToken = default);
}

/// <summary>Long-term memories over the store, with the built-in rules (or the model, when configured) deciding merges and supersession.</summary>
public sealed partial class MemoryService(
    IMemoryStore store,
    IContextStore context,
    IUserStore users,
    ISessionService sessions,
    SummarizerChain summarizer,
    ChatModel model,
    ITenantContext tenant,
    Realtime.IChangeFeed changes,
    TimeProvider time,
    ILogger<MemoryService> logger) : IMemoryService
{
    /// <summary>The longest memory text in bytes.</summary>
    public const int MaxContentBytes = 16 * 1024;

    private const int ConversationEvents = 400;
    private const int ConversationMaxTokens = 400;

    /// <inheritdoc />
    public async Task<MemoryWrite> AddAsync(NewMemory memory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var userId = InputValidator.Identifier(memory.UserId, "userId");
        var content = InputValidator.Content(memory.Content?.Trim(), MaxContentBytes);
        if (content.Length == 0)
        {
            throw new ValidationException("content", "is required.");
        }

        var kind = InputValidator.OneOf(memory.Kind, MemoryKind.All, "kind", MemoryKind.Note);
        var agentId = InputValidator.OptionalIdentifier(memory.AgentId, "agentId");
        var sessionId = InputValidator.OptionalIdentifier(memory.SessionId, "sessionId");
        var subject = memory.Subject?.Trim().ToLowerInvariant();
        if (subject is { Length: > 200 })
        {
            throw new ValidationException("subject", "must be at most 200 characters.");
        }

        var sources = InputValidator.Items(memory.Sources, "sources").ToList();
        foreach (var source in sources)
        {
            InputValidator.Identifier(source.SessionId, "sources.sessionId");
        }

        if (sessionId is not null && sources.All(s => s.SessionId != sessionId))
        {
            sources.Add(new MemorySource(sessionId));
        }

        // A memory belongs to a user who exists; a merged user's memory goes to the survivor.
        var user = await users.GetAsync(tenant.TenantId, userId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", userId);
        CallerAccess.EnsureUser(user.Id, "User", userId);
        if (sessionId is not null)
        {
            _ = await sessions.GetAsync(sessionId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Session", sessionId);
        }

        var now = time.GetUtcNow();
        var item = new MemoryItem
        {
            Id = Ids.New("mem_", now),
            UserId = user.Id,
            AgentId = agentId,
            SessionId = sessionId,
            Kind = kind,
            Content = content,
            Subject = subject is { Length: > 0 } ? subject : null,
            Sources = sources,
            ValidFrom = memory.ValidFrom ?? now,
            CreatedAt = now,
            UpdatedAt = now,
        };

        var modelDecision = kind == MemoryKind.Fact && model.Client is { } client ? await ModelDecisionAsync(client, item, cancellationToken).ConfigureAwait(false) : null;
        var write = await store.AddAsync(tenant.TenantId, item, (m, current) => modelDecision?.Invoke(m, current) ?? MemoryRules.Decide(m, current), cancellationToken).ConfigureAwait(false);
        await changes.PublishAsync(new Realtime.ChangeNotice($"user:{user.Id}", "memory_" + write.Action, Origin: write.Memory.Id), cancellationToken).ConfigureAwait(false);
        return write;
    }

    /// <inheritdoc />
    public async Task<MemoryItem> GetAsync(string memoryId, CancellationToken cancellationToken = default)
    {
        InputValidator.Identifier(memoryId, "id");
        return await store.GetAsync(tenant.TenantId, memoryId, cancellationToken).ConfigureAwait(false) is { } memory && CallerAccess.SeesUser(memory.UserId)
            ? memory
            : throw new NotFoundException("Memory", memoryId);
    }

    /// <inheritdoc />
    public async Task<MemoryItem> UpdateAsync(string memoryId, MemoryPatch patch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        InputValidator.Identifier(memoryId, "id");
        var content = patch.Content is null ? null : InputValidator.Content(patch.Content.Trim(), MaxContentBytes);
        if (content is { Length: 0 })
        {
            throw new ValidationException("content", "must not be empty.");
        }

        var kind = patch.Kind is null ? null : InputValidator.OneOf(patch.Kind, MemoryKind.All, "kind");
        if (CallerAccess.BoundUser is not null)
        {
            await GetAsync(memoryId, cancellationToken).ConfigureAwait(false);
        }

        var now = time.GetUtcNow();
        var updated = await store.UpdateAsync(tenant.TenantId, memoryId, m => m with
        {
            Content = content ?? m.Content,
            Kind = kind ?? m.Kind,
            Subject = patch.Subject is null ? m.Subject : patch.Subject.Trim().ToLowerInvariant() is { Length: > 0 } s ? s : null,
            UpdatedAt = now,
        }, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Memory", memoryId);
        await changes.PublishAsync(new Realtime.ChangeNotice($"user:{updated.UserId}", "memory_updated", Origin: updated.Id), cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string memoryId, CancellationToken cancellationToken = default)
    {
        InputValidator.Identifier(memoryId, "id");
        var existing = await store.GetAsync(tenant.TenantId, memoryId, cancellationToken).ConfigureAwait(false);
        if (existing is null || !CallerAccess.SeesUser(existing.UserId) || !await store.DeleteAsync(tenant.TenantId, memoryId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await changes.PublishAsync(new Realtime.ChangeNotice($"user:{existing.UserId}", "memory_deleted", Origin: memoryId), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<Page<MemoryItem>> ListAsync(MemoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var userId = InputValidator.Identifier(CallerAccess.ConfineUser(query.UserId), "userId");
        var kind = query.Kind is null ? null : InputValidator.OneOf(query.Kind, MemoryKind.All, "kind");
        var agentId = InputValidator.OptionalIdentifier(query.AgentId, "agentId");
        var limit = InputValidator.Range(query.Limit ?? 50, 1, 500, "limit");
        var after = ListCursor.Parse(query.Cursor);
        var fetched = await store.ListAsync(tenant.TenantId, userId, kind, agentId, query.IncludeHistory, limit + 1, after, cancellationToken).ConfigureAwait(false);
        return ListCursor.Page(fetched, limit, m => ListCursor.After(m.UpdatedAt, m.Id));
    }

    /// <inheritdoc />
    public async Task<Page<Conversation>> ConversationsAsync(string userId, int? limit, string? cursor = null, CancellationToken cancellationToken = default)
    {
        InputValidator.Identifier(userId, "userId");
        CallerAccess.EnsureUser(userId, "User", userId);
        _ = await users.GetAsync(tenant.TenantId, userId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", userId);
        var max = InputValidator.Range(limit ?? 20, 1, 200, "limit");
        var fetched = await store.ConversationsAsync(tenant.TenantId, userId, max + 1, ListCursor.Parse(cursor), cancellationToken).ConfigureAwait(false);
        return ListCursor.Page(fetched, max, c => ListCursor.After(c.LastActiveAt, c.SessionId));
    }

    /// <inheritdoc />
    public async Task<MemoryItem?> RememberConversationAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var session = await sessions.GetAsync(sessionId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Session", sessionId);
        if (session.UserId is null || session.Counters.Messages == 0)
        {
            return null;
        }

        // What the session's summaries hold, then its latest turns.
        var items = new List<SummarySource>();
        foreach (var summary in await context.GetActiveSummariesAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false))
        {
            items.Add(new SummarySource("summary", summary.Content, session.Interface, "summary"));
        }

        var (summarized, _) = await context.GetWatermarksAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
        var recent = await context.GetRecentEventsAsync(tenant.TenantId, sessionId, summarized, long.MaxValue, ConversationEvents, cancellationToken).ConfigureAwait(false);
        items.AddRange(recent.Where(e => e.Type == EventType.Message && !MemoryContextProvider.IsMemoryLoaded(e))
            .Select(e => new SummarySource(e.Role, e.Content, session.Interface, e.Type)));
        if (items.Count == 0)
        {
            return null;
        }

        var (text, _) = await summarizer.SummarizeAsync(items, ConversationMaxTokens, cancellationToken).ConfigureAwait(false);
        var title = session.Title is { Length: > 0 } t ? t + ": " : "";
        var now = time.GetUtcNow();
        var memory = await store.UpsertConversationAsync(tenant.TenantId, new MemoryItem
        {
            Id = Ids.New("mem_", now),
            UserId = session.UserId,
            AgentId = session.AgentId,
            SessionId = sessionId,
            Kind = MemoryKind.Conversation,
            Content = $"{title}Conversation on {session.Interface}, {session.CreatedAt:yyyy-MM-dd}: {text}",
            Sources = [new MemorySource(sessionId, recent.Count > 0 ? recent[^1].Seq : null)],
            ValidFrom = session.CreatedAt,
            CreatedAt = now,
            UpdatedAt = now,
        }, cancellationToken).ConfigureAwait(false);
        await changes.PublishAsync(new Realtime.ChangeNotice($"user:{session.UserId}", "memory_conversation", Origin: memory.Id), cancellationToken).ConfigureAwait(false);
        return memory;
    }

    // With a model, the model reads the user's current facts and says which ones the new fact duplicates or replaces.
    private async Task<Func<MemoryItem, IReadOnlyList<MemoryItem>, MemoryDecision>?> ModelDecisionAsync(IChatClient client, MemoryItem item, CancellationToken cancellationToken)
    {
        var facts = await store.ListAsync(tenant.TenantId, item.UserId, MemoryKind.Fact, item.AgentId, includeHistory: false, 50, null, cancellationToken).ConfigureAwait(false);
        if (facts.Count == 0)
        {
            return null;
        }

        try
        {
            var listing = string.Join('\n', facts.Select(f => $"{f.Id}: {f.Content}"));
            var response = await client.GetResponseAsync(
                [
                    new ChatMessage(ChatRole.System, "You keep a user's facts current. Given the known facts and a new fact, answer with JSON only: " +
                        "{\"duplicate\": \"ID or null\", \"replaces\": [\"IDs of facts the new fact makes out of date\"], \"subject\": \"what the new fact is about, in 1-4 words\"}."),
                    new ChatMessage(ChatRole.User, $"Known facts:\n{listing}\n\nNew fact: {item.Content}"),
                ], new ChatOptions { Temperature = 0 }, cancellationToken).ConfigureAwait(false);
            var json = response.Text;
            var start = json.IndexOf('{', StringComparison.Ordinal);
            var end = json.LastIndexOf('}');
            using var document = JsonDocument.Parse(json[start..(end + 1)]);
            var root = document.RootElement;
            var known = facts.ToDictionary(f => f.Id);
            var duplicate = root.TryGetProperty("duplicate", out var d) && d.ValueKind == JsonValueKind.String && known.ContainsKey(d.GetString()!) ? d.GetString() : null;
            var replaces = root.TryGetProperty("replaces", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Select(x => x.GetString()).Where(x => x is not null && known.ContainsKey(x)).Select(x => x!).ToList() : [];
            var subject = root.TryGetProperty("subject", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()?.Trim().ToLowerInvariant() : null;
            return (m, current) =>
            {
                // The model saw the facts a moment ago; only what is still current in the transaction counts.
                var live = current.Where(c => c.ValidTo is null).ToDictionary(c => c.Id);
                return duplicate is not null && live.TryGetValue(duplicate, out var dup)
                    ? new MemoryDecision(dup.Id, m.Content.Length > dup.Content.Length ? m.Content : dup.Content, [], dup.Subject)
                    : new MemoryDecision(null, null, [.. replaces.Where(live.ContainsKey)], m.Subject ?? subject ?? MemoryRules.Subject(m.Content));
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogModelFailed(logger, ex.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The model could not judge a new fact ({Error}); the built-in rules decide")]
    private static partial void LogModelFailed(ILogger logger, string error);
}
