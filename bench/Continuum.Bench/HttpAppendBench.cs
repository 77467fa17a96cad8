using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Continuum.Bench;

/// <summary>Clients appending over HTTP through one shared pooled <see cref="HttpClient"/>.</summary>
internal sealed class HttpAppendBench : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;

    public HttpAppendBench(Uri baseAddress, int maxClients)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, maxClients),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        _http = new HttpClient(handler, disposeHandler: true) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Opens a new session and returns its id.</summary>
    public async Task<string> OpenSessionAsync(string externalUserId, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(Workload.OpenSessionBody(externalUserId));
        content.Headers.ContentType = Json;
        using var response = await _http.PostAsync(new Uri("api/sessions", UriKind.Relative), content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /api/sessions answered {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetString() ?? throw new InvalidOperationException("The session has no id.");
    }

    /// <summary>
    /// Runs <paramref name="clients"/> loops, client i appending to <c>sessionIds[i % sessionIds.Count]</c>, until
    /// the window closes.
    /// </summary>
    public async Task<PhaseResult> RunAsync(string name, int clients, IReadOnlyList<string> sessionIds, Window window, CancellationToken cancellationToken)
    {
        var logs = Enumerable.Range(0, clients).Select(_ => new ClientLog()).ToArray();
        var loops = Enumerable.Range(0, clients)
            .Select(i => Task.Run(() => ClientAsync(i, sessionIds[i % sessionIds.Count], logs[i], window, cancellationToken), cancellationToken))
            .ToArray();
        await Task.WhenAll(loops);
        return PhaseResult.From(name, clients, window, logs);
    }

    private async Task ClientAsync(int client, string sessionId, ClientLog log, Window window, CancellationToken cancellationToken)
    {
        var uri = new Uri($"api/sessions/{sessionId}/events", UriKind.Relative);
        var body = Workload.EventBody(client);
        while (window.Open(Stopwatch.GetTimestamp()))
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = Json;

                // ResponseContentRead (the default): the call returns once the whole response body has arrived.
                using var response = await _http.SendAsync(request, cancellationToken);
                var completed = Stopwatch.GetTimestamp();
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    log.Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                    continue;
                }

                if (window.Counts(completed))
                {
                    log.Ticks.Add(completed - started);
                }
            }
            catch (HttpRequestException ex)
            {
                log.Fail(ex.Message);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                log.Fail($"timeout: {ex.Message}");
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
