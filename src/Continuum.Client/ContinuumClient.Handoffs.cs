using System.Globalization;
using Continuum.Handoffs;
using Continuum.Storage;

namespace Continuum.Client;

/// <summary>Handoffs, the knowledge base and the briefing over HTTP.</summary>
public sealed partial class ContinuumClient : IHandoffService
{
    /// <inheritdoc />
    public Task<HandoffReceipt> CreateAsync(Handoff handoff, CancellationToken cancellationToken = default) =>
        SendAsync<HandoffReceipt>(HttpMethod.Post, "api/handoffs", handoff, cancellationToken);

    /// <inheritdoc />
    Task<Handoff> IHandoffService.GetAsync(string handoffId, CancellationToken cancellationToken) =>
        SendAsync<Handoff>(HttpMethod.Get, $"api/handoffs/{Escape(handoffId)}", null, cancellationToken);

    /// <summary>The handoff document (Markdown) of a handoff.</summary>
    public async Task<string> GetHandoffMarkdownAsync(string handoffId, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/handoffs/{Escape(handoffId)}");
        request.Headers.Accept.ParseAdd("text/markdown");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Page<Handoff>> ListAsync(string project, DateTimeOffset? since = null, DateTimeOffset? until = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var list = await SendAsync<HandoffListBody>(HttpMethod.Get, "api/handoffs" + Query(("project", project), ("from", Time(since)), ("to", Time(until)),
            ("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)), null, cancellationToken).ConfigureAwait(false);
        return new Page<Handoff>(list.Handoffs, list.Next);
    }

    /// <inheritdoc />
    public Task<KnowledgeBase> GetKnowledgeAsync(string project, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default) =>
        SendAsync<KnowledgeBase>(HttpMethod.Get, "api/knowledge" + Query(("project", project), ("asOf", Time(asOf))), null, cancellationToken);

    /// <inheritdoc />
    public async Task<Briefing> GetBriefingAsync(string project, int? budget = null, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/briefing" + Query(("project", project), ("budget", budget?.ToString(CultureInfo.InvariantCulture)), ("asOf", Time(asOf))));
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<Briefing>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<Handoff> DraftAsync(string sessionId, string? project = null, CancellationToken cancellationToken = default) =>
        SendAsync<Handoff>(HttpMethod.Post, $"api/sessions/{Escape(sessionId)}/handoff-draft" + Query(("project", project)), null, cancellationToken);

    /// <inheritdoc />
    public async Task<Page<string>> ListProjectsAsync(int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var list = await SendAsync<ProjectListBody>(HttpMethod.Get, "api/projects" + Query(("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)), null, cancellationToken)
            .ConfigureAwait(false);
        return new Page<string>(list.Projects, list.Next);
    }

    private static string? Time(DateTimeOffset? time) => time?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private sealed record HandoffListBody(IReadOnlyList<Handoff> Handoffs, string? Next);

    private sealed record ProjectListBody(IReadOnlyList<string> Projects, string? Next);
}
