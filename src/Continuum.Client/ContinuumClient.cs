using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Continuum.Context;
using Continuum.Errors;
using Continuum.Json;
using Continuum.Sessions;
using Continuum.Stats;
using Continuum.Storage;
using Continuum.Users;

namespace Continuum.Client;

/// <summary>
/// Continuum over HTTP: the same <see cref="ISessionService"/>, <see cref="IIdentityService"/> and
/// <see cref="IStatsService"/> the server runs in-process, so callers can switch between them. Errors come
/// back as the same <see cref="ContinuumException"/> types, built from the server's problem details.
/// </summary>
public sealed partial class ContinuumClient : ISessionService, IIdentityService, IStatsService, IContextService
{
    private readonly HttpClient _http;

    /// <summary>Uses <paramref name="http"/>, whose <see cref="HttpClient.BaseAddress"/> is the server's root URL.</summary>
    public ContinuumClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress (the Continuum server's URL).", nameof(http));
        }

        _http = http;
    }

    /// <inheritdoc />
    public async Task<OpenSessionResult> OpenAsync(OpenSessionRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync("api/sessions", request, JsonDefaults.Options, cancellationToken).ConfigureAwait(false);
        var session = await ReadAsync<Session>(response, cancellationToken).ConfigureAwait(false);
        return new OpenSessionResult(session, response.StatusCode == HttpStatusCode.Created);
    }

    /// <inheritdoc />
    public Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken = default) =>
        GetOrNullAsync<Session>($"api/sessions/{Escape(sessionId)}", cancellationToken);

    /// <inheritdoc />
    public async Task<Page<Session>> ListAsync(SessionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var url = "api/sessions" + Query(("userId", query.UserId), ("interface", query.Interface), ("status", query.Status),
            ("agentId", query.AgentId), ("limit", query.Limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", query.Cursor));
        var list = await SendAsync<SessionListBody>(HttpMethod.Get, url, null, cancellationToken).ConfigureAwait(false);
        return new Page<Session>(list.Sessions, list.Next);
    }

    /// <inheritdoc />
    public Task<Session> UpdateAsync(string sessionId, SessionPatch patch, CancellationToken cancellationToken = default) =>
        SendAsync<Session>(HttpMethod.Patch, $"api/sessions/{Escape(sessionId)}", patch, cancellationToken);

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync($"api/sessions/{Escape(sessionId)}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public Task<Session> ContinueAsync(string sessionId, ContinueRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<Session>(HttpMethod.Post, $"api/sessions/{Escape(sessionId)}/continue", request, cancellationToken);

    /// <inheritdoc />
    public Task<Session> ForkAsync(string sessionId, ForkRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<Session>(HttpMethod.Post, $"api/sessions/{Escape(sessionId)}/fork", request, cancellationToken);

    /// <inheritdoc />
    public async Task<Page<SessionLink>> GetLinksAsync(string sessionId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var body = await SendAsync<LinkListBody>(HttpMethod.Get, $"api/sessions/{Escape(sessionId)}/links" + Query(("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)), null, cancellationToken).ConfigureAwait(false);
        return new Page<SessionLink>(body.Links, body.Next);
    }

    /// <inheritdoc />
    public async Task<AppendResult> AppendAsync(string sessionId, NewEvent newEvent, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync($"api/sessions/{Escape(sessionId)}/events", newEvent, JsonDefaults.Options, cancellationToken).ConfigureAwait(false);
        var stored = await ReadAsync<SessionEvent>(response, cancellationToken).ConfigureAwait(false);
        return new AppendResult(stored, response.StatusCode == HttpStatusCode.OK);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AppendResult>> AppendBatchAsync(string sessionId, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken = default)
    {
        var list = await SendAsync<EventListBody>(HttpMethod.Post, $"api/sessions/{Escape(sessionId)}/events:batch", new EventBatchBody(events), cancellationToken).ConfigureAwait(false);
        return [.. list.Events.Select(e => new AppendResult(e, false))];
    }

    /// <inheritdoc />
    public async Task<Page<SessionEvent>> ListEventsAsync(string sessionId, long? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var url = $"api/sessions/{Escape(sessionId)}/events" + Query(("after", after?.ToString(CultureInfo.InvariantCulture)), ("limit", limit?.ToString(CultureInfo.InvariantCulture)));
        var list = await SendAsync<EventListBody>(HttpMethod.Get, url, null, cancellationToken).ConfigureAwait(false);
        return new Page<SessionEvent>(list.Events, list.Next);
    }

    /// <inheritdoc />
    public async Task<User> ResolveAsync(IdentityRef identity, CancellationToken cancellationToken = default) =>
        (await ResolveIdentityAsync(identity, cancellationToken).ConfigureAwait(false)).User;

    /// <inheritdoc />
    public async Task<ResolvedUser> ResolveIdentityAsync(IdentityRef identity, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync("api/users/resolve", identity, JsonDefaults.Options, cancellationToken).ConfigureAwait(false);
        var user = await ReadAsync<User>(response, cancellationToken).ConfigureAwait(false);
        return new ResolvedUser(user, response.StatusCode == HttpStatusCode.Created);
    }

    /// <inheritdoc />
    public Task<User?> GetUserAsync(string userId, CancellationToken cancellationToken = default) =>
        GetOrNullAsync<User>($"api/users/{Escape(userId)}", cancellationToken);

    /// <inheritdoc />
    public Task<LinkCode> CreateLinkCodeAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<LinkCode>(HttpMethod.Post, $"api/users/{Escape(userId)}/link-codes", null, cancellationToken);

    /// <inheritdoc />
    public Task<User> LinkAsync(LinkRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<User>(HttpMethod.Post, "api/users/link", request, cancellationToken);

    /// <inheritdoc />
    public async Task<bool> UnlinkAsync(string interfaceName, string externalUserId, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync($"api/identities/{Escape(interfaceName)}/{Escape(externalUserId)}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public Task<User> MergeAsync(string survivorId, string mergedId, CancellationToken cancellationToken = default) =>
        SendAsync<User>(HttpMethod.Post, $"api/users/{Escape(survivorId)}/merge", new { userId = mergedId }, cancellationToken);

    /// <inheritdoc />
    public async Task<SessionStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync<StatsBody>(HttpMethod.Get, "api/stats", null, cancellationToken).ConfigureAwait(false)).Sessions;

    /// <inheritdoc />
    public Task<SessionContext> BuildAsync(string sessionId, string? query = null, int? budget = null, CancellationToken cancellationToken = default) =>
        SendAsync<SessionContext>(HttpMethod.Get, $"api/sessions/{Escape(sessionId)}/context" + Query(("query", query), ("budget", budget?.ToString(CultureInfo.InvariantCulture))), null, cancellationToken);

    /// <inheritdoc />
    public async Task ClearAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsync($"api/sessions/{Escape(sessionId)}/clear", null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> SummarizeAsync(string sessionId, CancellationToken cancellationToken = default) =>
        (await SendAsync<SummarizeBody>(HttpMethod.Post, $"api/sessions/{Escape(sessionId)}/summarize", null, cancellationToken).ConfigureAwait(false)).Written;

    /// <inheritdoc />
    public async Task<IReadOnlyList<Summary>> GetSummariesAsync(string sessionId, CancellationToken cancellationToken = default) =>
        await ReadAllAsync(cursor => ListSummariesAsync(sessionId, 1000, cursor, cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<Page<Summary>> ListSummariesAsync(string sessionId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var body = await SendAsync<SummaryListBody>(HttpMethod.Get, $"api/sessions/{Escape(sessionId)}/summaries" + Query(("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)), null, cancellationToken).ConfigureAwait(false);
        return new Page<Summary>(body.Summaries, body.Next);
    }

    /// <inheritdoc />
    public async Task<Page<UserEntity>> GetUserEntitiesAsync(string userId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var body = await SendAsync<EntityListBody>(HttpMethod.Get, $"api/users/{Escape(userId)}/entities" + Query(("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)), null, cancellationToken).ConfigureAwait(false);
        return new Page<UserEntity>(body.Entities, body.Next);
    }

    private async Task<T?> GetOrNullAsync<T>(string url, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string url, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: JsonDefaults.Options);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<T>(JsonDefaults.Options, cancellationToken).ConfigureAwait(false)
            ?? throw new ContinuumException("empty-response", 502, $"The server answered {(int)response.StatusCode} with no body.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        ProblemBody? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's error page); the status line still says what happened.
        }

        throw ToException(status, problem?.Type, problem?.Detail ?? problem?.Title ?? response.ReasonPhrase ?? "The request failed.", problem?.Errors);
    }

    // The exception the in-process services throw for the same failure, from the problem document's status and type.
    private static ContinuumException ToException(int status, string? problemType, string detail, Dictionary<string, string[]>? errors)
    {
        var type = problemType is { } t ? t[(t.LastIndexOf('/') + 1)..] : "http-" + status;
        return status switch
        {
            400 when errors is { Count: > 0 } => new ValidationException(errors),
            404 => new NotFoundException(type, detail.IndexOf(" '", StringComparison.Ordinal) is > 0 and var quote ? detail[..quote] : "Resource", detail),
            409 => new ConflictException(type, detail),
            413 => new PayloadTooLargeException(detail.IndexOf(" is ", StringComparison.Ordinal) is > 0 and var at && !detail[..at].Contains(' ', StringComparison.Ordinal) ? detail[..at] : "body", detail),
            503 => new TransientStoreException(detail),
            _ => new ContinuumException(type, status, detail),
        };
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);

    /// <summary>Every item of a paged listing, reading page after page until the last.</summary>
    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(Func<string?, Task<Page<T>>> read)
    {
        var items = new List<T>();
        string? cursor = null;
        do
        {
            var page = await read(cursor).ConfigureAwait(false);
            items.AddRange(page.Items);
            cursor = page.Next;
        }
        while (cursor is not null);

        return items;
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var parts = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private sealed record SessionListBody(IReadOnlyList<Session> Sessions, string? Next);

    private sealed record EventListBody(IReadOnlyList<SessionEvent> Events, string? Next);

    private sealed record LinkListBody(IReadOnlyList<SessionLink> Links, string? Next);

    private sealed record SummarizeBody(int Written);

    private sealed record SummaryListBody(IReadOnlyList<Summary> Summaries, string? Next);

    private sealed record EntityListBody(IReadOnlyList<UserEntity> Entities, string? Next);

    private sealed record StatsBody(string Store, SessionStats Sessions);

    private sealed record ProblemBody(string? Type, string? Title, int? Status, string? Detail, Dictionary<string, string[]>? Errors);
}
