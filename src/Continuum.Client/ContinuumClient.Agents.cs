using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Continuum.Agents;
using Continuum.Json;
using Continuum.Storage;

namespace Continuum.Client;

/// <summary>The agent registry, the hub and shared memory over HTTP.</summary>
public sealed partial class ContinuumClient : IAgentRegistry, IMessageHub, ISharedMemory
{
    /// <inheritdoc />
    public Task<Upserted<Agent>> RegisterAsync(string sessionId, AgentRegistration registration, CancellationToken cancellationToken = default) =>
        UpsertAsync<Agent>($"api/agents/{Escape(sessionId)}", registration, cancellationToken);

    /// <inheritdoc />
    public Task<Agent> GetAgentAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<Agent>(HttpMethod.Get, $"api/agents/{Escape(sessionId)}", null, cancellationToken);

    /// <inheritdoc />
    public async Task<Page<Agent>> ListAgentsAsync(AgentQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var body = await SendAsync<AgentListBody>(HttpMethod.Get, "api/agents" + Query(("status", query.Status), ("capability", query.Capability),
            ("all", query.All ? "true" : null), ("namespace", query.Namespace), ("limit", Number(query.Limit)), ("cursor", query.Cursor)), null, cancellationToken).ConfigureAwait(false);
        return new(body.Agents, body.Next);
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
    public Task<HubMessage> GetMessageAsync(long messageId, CancellationToken cancellationToken = default) =>
        SendAsync<HubMessage>(HttpMethod.Get, $"api/messages/{messageId}", null, cancellationToken);

    /// <inheritdoc />
    public async Task<Page<HubMessage>> InboxAsync(string sessionId, InboxQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var body = await SendAsync<MessageListBody>(HttpMethod.Get, $"api/agents/{Escape(sessionId)}/inbox" + Query(("type", query.Type), ("unread", query.UnreadOnly ? "true" : null),
            ("after", query.After > 0 ? query.After.ToString(CultureInfo.InvariantCulture) : null), ("limit", Number(query.Limit)), ("cursor", query.Cursor)), null, cancellationToken).ConfigureAwait(false);
        return new(body.Messages, body.Next);
    }

    /// <inheritdoc />
    public async Task<int> AcknowledgeAsync(long messageId, string? sessionId = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<AckBody>(HttpMethod.Post, $"api/messages/{messageId}/ack" + Query(("sessionId", sessionId)), new { }, cancellationToken).ConfigureAwait(false)).Acknowledged;

    /// <inheritdoc />
    public async Task<Page<HubMessage>> ThreadAsync(long messageId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var body = await SendAsync<MessageListBody>(HttpMethod.Get, $"api/messages/{messageId}/thread" + Query(("limit", Number(limit)), ("cursor", cursor)), null, cancellationToken).ConfigureAwait(false);
        return new(body.Messages, body.Next);
    }

    /// <inheritdoc />
    public Task<Upserted<SharedEntry>> SetSharedAsync(string ns, string key, SharedWrite write, CancellationToken cancellationToken = default) =>
        UpsertAsync<SharedEntry>($"api/shared/{Escape(ns)}/{Escape(key)}", write, cancellationToken);

    /// <inheritdoc />
    public Task<SharedEntry> GetSharedAsync(string ns, string key, CancellationToken cancellationToken = default) =>
        SendAsync<SharedEntry>(HttpMethod.Get, $"api/shared/{Escape(ns)}/{Escape(key)}", null, cancellationToken);

    /// <inheritdoc />
    public async Task<Page<SharedEntry>> GetSharedVersionsAsync(string ns, string key, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var body = await SendAsync<EntryListBody>(HttpMethod.Get, $"api/shared/{Escape(ns)}/{Escape(key)}" + Query(("all", "true"), ("limit", Number(limit)), ("cursor", cursor)), null, cancellationToken).ConfigureAwait(false);
        return new(body.Entries, body.Next);
    }

    /// <inheritdoc />
    public async Task<Page<SharedEntry>> SearchSharedAsync(string ns, SharedQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var body = await SendAsync<EntryListBody>(HttpMethod.Get, $"api/shared/{Escape(ns)}" + Query(("pattern", query.Pattern), ("tags", query.Tags is { Count: > 0 } tags ? string.Join(',', tags) : null),
            ("session", query.SessionId), ("limit", Number(query.Limit)), ("cursor", query.Cursor)), null, cancellationToken).ConfigureAwait(false);
        return new(body.Entries, body.Next);
    }

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

    private async Task<Upserted<T>> UpsertAsync<T>(string url, object body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body, body.GetType(), options: JsonDefaults.Options) };
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var value = await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
        return new(value, response.StatusCode == HttpStatusCode.Created);
    }

    private static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    private sealed record AgentListBody(IReadOnlyList<Agent> Agents, string? Next);

    private sealed record MessageListBody(IReadOnlyList<HubMessage> Messages, string? Next);

    private sealed record EntryListBody(IReadOnlyList<SharedEntry> Entries, string? Next);

    private sealed record AckBody(int Acknowledged);

    private sealed record StatsOfAgentsBody(AgentStats Agents, SharedStats Shared);
}
