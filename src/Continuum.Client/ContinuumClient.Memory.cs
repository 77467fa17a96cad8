using System.Globalization;
using System.Net;
using Continuum.Memory;
using Continuum.Search;
using Continuum.Storage;

namespace Continuum.Client;

/// <summary>Search, long-term memories and conversation history over HTTP.</summary>
public sealed partial class ContinuumClient : ISearchService, IMemoryService
{
    /// <inheritdoc />
    public Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<SearchResponse>(HttpMethod.Post, "api/search", request, cancellationToken);

    /// <inheritdoc />
    public async Task<MemoryWrite> AddAsync(NewMemory memory, CancellationToken cancellationToken = default) =>
        await SendAsync<MemoryWrite>(HttpMethod.Post, "api/memories", memory, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    Task<MemoryItem> IMemoryService.GetAsync(string memoryId, CancellationToken cancellationToken) =>
        SendAsync<MemoryItem>(HttpMethod.Get, $"api/memories/{Escape(memoryId)}", null, cancellationToken);

    /// <inheritdoc />
    Task<MemoryItem> IMemoryService.UpdateAsync(string memoryId, MemoryPatch patch, CancellationToken cancellationToken) =>
        SendAsync<MemoryItem>(HttpMethod.Patch, $"api/memories/{Escape(memoryId)}", patch, cancellationToken);

    /// <inheritdoc />
    async Task<bool> IMemoryService.DeleteAsync(string memoryId, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"api/memories/{Escape(memoryId)}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<Page<MemoryItem>> ListAsync(MemoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var list = await SendAsync<MemoryListBody>(HttpMethod.Get, "api/memories" + Query(("userId", query.UserId), ("kind", query.Kind), ("agentId", query.AgentId),
            ("history", query.IncludeHistory ? "true" : null), ("limit", query.Limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", query.Cursor)), null, cancellationToken).ConfigureAwait(false);
        return new Page<MemoryItem>(list.Memories, list.Next);
    }

    /// <inheritdoc />
    public async Task<MemoryItem?> RememberConversationAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsync($"api/sessions/{Escape(sessionId)}/remember", null, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.NoContent ? null : await ReadAsync<MemoryItem>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Page<Conversation>> ConversationsAsync(string userId, int? limit, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var list = await SendAsync<ConversationListBody>(HttpMethod.Get, $"api/users/{Escape(userId)}/conversations" + Query(("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)),
            null, cancellationToken).ConfigureAwait(false);
        return new Page<Conversation>(list.Conversations, list.Next);
    }

    private sealed record MemoryListBody(IReadOnlyList<MemoryItem> Memories, string? Next);

    private sealed record ConversationListBody(IReadOnlyList<Conversation> Conversations, string? Next);
}
