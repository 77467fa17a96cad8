using System.Globalization;
using System.Net;
using Continuum.Agents;

namespace Continuum.Client;

/// <summary>The agent registry, the hub and shared memory over HTTP.</summary>
public sealed partial class ContinuumClient : IAgentService
{
    /// <inheritdoc />
    public Task<Agent> RegisterAsync(string sessionId, AgentRegistration registration, CancellationToken cancellationToken = default) =>
        SendAsync<Agent>(HttpMethod.Put, $"api/agents/{Escape(sessionId)}", registration, cancellationToken);

    /// <inheritdoc />
    public Task<Agent> GetAgentAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<Agent>(HttpMethod.Get, $"api/agents/{Escape(sessionId)}", null, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Agent>> ListAgentsAsync(AgentQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return (await SendAsync<AgentListBody>(HttpMethod.Get, "api/agents" + Query(("status", query.Status), ("capability", query.Capability),
            ("all", query.All ? "true" : null), ("namespace", query.Namespace)), null, cancellationToken).ConfigureAwait(false)).Agents;
    }

    /// <inheritdoc />
    public Task<Agent> PingAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<Agent>(HttpMethod.Post, $"api/agents/{Escape(sessionId)}/ping", new { }, cancellationToken);

    /// <inheritdoc />
    public Task<Agent> SetStatusAsync(string sessionId, string status, string? currentTask, CancellationToken cancellationToken = default) =>
        SendAsync<Agent>(HttpMethod.Patch, $"api/agents/{Escape(sessionId)}", new { status, currentTask }, cancellationToken);

    /// <inheritdoc />
    public async Task<AgentStats> GetAgentStatsAsync(string? ns = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<StatsOfAgentsBody>(HttpMethod.Get, "api/agents/stats" + Query(("namespace", ns)), null, cancellationToken).ConfigureAwait(false)).Agents;

    /// <inheritdoc />
    public Task<HubMessage> SendAsync(SendMessage message, CancellationToken cancellationToken = default) =>
        SendAsync<HubMessage>(HttpMethod.Post, "api/messages", message, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<HubMessage>> InboxAsync(string sessionId, string? type = null, bool unreadOnly = false, long after = 0, int? limit = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<MessageListBody>(HttpMethod.Get, $"api/agents/{Escape(sessionId)}/inbox" + Query(("type", type), ("unread", unreadOnly ? "true" : null),
            ("after", after > 0 ? after.ToString(CultureInfo.InvariantCulture) : null), ("limit", limit?.ToString(CultureInfo.InvariantCulture))), null, cancellationToken).ConfigureAwait(false)).Messages;

    /// <inheritdoc />
    public async Task<int> AcknowledgeAsync(long messageId, string? sessionId = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<AckBody>(HttpMethod.Post, $"api/messages/{messageId}/ack" + Query(("sessionId", sessionId)), new { }, cancellationToken).ConfigureAwait(false)).Acknowledged;

    /// <inheritdoc />
    public async Task<IReadOnlyList<HubMessage>> ThreadAsync(long messageId, CancellationToken cancellationToken = default) =>
        (await SendAsync<MessageListBody>(HttpMethod.Get, $"api/messages/{messageId}/thread", null, cancellationToken).ConfigureAwait(false)).Messages;

    /// <inheritdoc />
    public Task<SharedEntry> SetSharedAsync(string ns, string key, SharedWrite write, CancellationToken cancellationToken = default) =>
        SendAsync<SharedEntry>(HttpMethod.Put, $"api/shared/{Escape(ns)}/{Escape(key)}", write, cancellationToken);

    /// <inheritdoc />
    public Task<SharedEntry> GetSharedAsync(string ns, string key, CancellationToken cancellationToken = default) =>
        SendAsync<SharedEntry>(HttpMethod.Get, $"api/shared/{Escape(ns)}/{Escape(key)}", null, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<SharedEntry>> GetSharedVersionsAsync(string ns, string key, CancellationToken cancellationToken = default) =>
        (await SendAsync<EntryListBody>(HttpMethod.Get, $"api/shared/{Escape(ns)}/{Escape(key)}?all=true", null, cancellationToken).ConfigureAwait(false)).Entries;

    /// <inheritdoc />
    public async Task<IReadOnlyList<SharedEntry>> SearchSharedAsync(string ns, string? pattern = null, IReadOnlyList<string>? tags = null, string? sessionId = null, int? limit = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<EntryListBody>(HttpMethod.Get, $"api/shared/{Escape(ns)}" + Query(("pattern", pattern), ("tags", tags is { Count: > 0 } ? string.Join(',', tags) : null),
            ("session", sessionId), ("limit", limit?.ToString(CultureInfo.InvariantCulture))), null, cancellationToken).ConfigureAwait(false)).Entries;

    /// <inheritdoc />
    public async Task<bool> DeleteSharedAsync(string ns, string key, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync($"api/shared/{Escape(ns)}/{Escape(key)}" + Query(("sessionId", sessionId)), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<SharedStats> GetSharedStatsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync<StatsOfAgentsBody>(HttpMethod.Get, "api/agents/stats", null, cancellationToken).ConfigureAwait(false)).Shared;

    private sealed record AgentListBody(IReadOnlyList<Agent> Agents);

    private sealed record MessageListBody(IReadOnlyList<HubMessage> Messages);

    private sealed record EntryListBody(IReadOnlyList<SharedEntry> Entries);

    private sealed record AckBody(int Acknowledged);

    private sealed record StatsOfAgentsBody(AgentStats Agents, SharedStats Shared);
}
