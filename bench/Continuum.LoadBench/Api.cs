using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Continuum.LoadBench;

/// <summary>The REST calls a chat client makes, over one pooled <see cref="HttpClient"/>; every unexpected status throws.</summary>
internal sealed class Api : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;

    public Api(Uri address, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, connections),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        _http = new HttpClient(handler, disposeHandler: true) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Opens a new session for its own user; returns the session id and the user id.</summary>
    public async Task<(string SessionId, string UserId)> OpenSessionAsync(string externalUserId, CancellationToken cancellationToken)
    {
        var body = $$"""{"interface":"api","identity":{"interface":"api","externalUserId":"{{externalUserId}}"},"mode":"new"}""";
        using var document = await SendAsync(HttpMethod.Post, "api/sessions", body, HttpStatusCode.Created, cancellationToken);
        var root = document.RootElement;
        return (root.GetProperty("id").GetString()!, root.GetProperty("userId").GetString()!);
    }

    /// <summary>Appends one message; returns its seq.</summary>
    public async Task<long> AppendAsync(string sessionId, string role, string content, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["role"] = role, ["content"] = content });
        using var document = await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events", body, HttpStatusCode.Created, cancellationToken);
        return document.RootElement.GetProperty("seq").GetInt64();
    }

    /// <summary>Appends messages in one all-or-nothing batch; returns the last seq.</summary>
    public async Task<long> AppendBatchAsync(string sessionId, IEnumerable<(string Role, string Content)> messages, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new { events = messages.Select(m => new { role = m.Role, content = m.Content }) });
        using var document = await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events:batch", body, HttpStatusCode.Created, cancellationToken);
        var events = document.RootElement.GetProperty("events");
        return events[events.GetArrayLength() - 1].GetProperty("seq").GetInt64();
    }

    /// <summary>A chat turn: the user's message and the reply in one append, then the context for the next turn; returns the context's size in bytes.</summary>
    public async Task<int> TurnAsync(string sessionId, int client, int turn, CancellationToken cancellationToken)
    {
        await AppendBatchAsync(sessionId, [("user", Chat.User(client, turn)), ("assistant", Chat.Reply(client, turn))], cancellationToken);
        var context = await GetBytesAsync($"api/sessions/{sessionId}/context", cancellationToken);
        return context.Length;
    }

    /// <summary>Adds a memory for <paramref name="userId"/>.</summary>
    public async Task AddMemoryAsync(string userId, string content, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new { userId, kind = "note", content });
        using var _ = await SendAsync(HttpMethod.Post, "api/memories", body, HttpStatusCode.Created, cancellationToken, HttpStatusCode.OK);
    }

    /// <summary>Searches the user's history; returns the number of results.</summary>
    public async Task<int> SearchAsync(string userId, string query, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new { userId, query, limit = 10 });
        using var document = await SendAsync(HttpMethod.Post, "api/search", body, HttpStatusCode.OK, cancellationToken);
        return document.RootElement.GetProperty("results").GetArrayLength();
    }

    /// <summary>GETs <paramref name="path"/> and returns the whole body; throws on any status but 200.</summary>
    public async Task<byte[]> GetBytesAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchFailure($"GET {path} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        }

        return bytes;
    }

    /// <summary>True when the server answers <paramref name="path"/> with 200 (a probe for what a build supports).</summary>
    public async Task<bool> AnswersAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Every event of the session in order, <paramref name="pageSize"/> a request: (seq, type, role, content).</summary>
    public async Task<List<(long Seq, string Type, string Role, string Content)>> ReadAllAsync(string sessionId, int pageSize, CancellationToken cancellationToken)
    {
        var all = new List<(long, string, string, string)>();
        string? after = "0";
        while (after is not null)
        {
            var bytes = await GetBytesAsync($"api/sessions/{sessionId}/events?after={after}&limit={pageSize.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
            using var document = JsonDocument.Parse(bytes);
            foreach (var e in document.RootElement.GetProperty("events").EnumerateArray())
            {
                all.Add((e.GetProperty("seq").GetInt64(), e.GetProperty("type").GetString()!, e.GetProperty("role").GetString()!, e.GetProperty("content").GetString()!));
            }

            after = document.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }

        return all;
    }

    private async Task<JsonDocument> SendAsync(HttpMethod method, string path, string body, HttpStatusCode expected, CancellationToken cancellationToken, HttpStatusCode? alsoExpected = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = Json;
        using var response = await _http.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != expected && response.StatusCode != alsoExpected)
        {
            throw new BenchFailure($"{method} {path} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        }

        return JsonDocument.Parse(bytes);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A request that did not get the answer it should have.</summary>
internal sealed class BenchFailure(string message) : Exception(message);

/// <summary>The conversation the clients have: a question and a longer answer a turn, with a few names for the entity extractor.</summary>
internal static class Chat
{
    private static readonly string[] People = ["Alice", "Bob", "Carmen", "Deepak", "Erin", "Farid"];
    private static readonly string[] Places = ["Berlin", "Lisbon", "Osaka", "Toronto", "Nairobi", "Lima"];

    public static string User(int client, int turn) =>
        $"Turn {turn} from client {client}: can you remind me what {People[turn % People.Length]} said about the trip to {Places[turn % Places.Length]} and whether the budget still works?";

    /// <summary>A memory worth keeping, different enough from the others not to be merged with them.</summary>
    public static string Note(int i) =>
        $"{People[i % People.Length]} keeps project {i * 7919 % 100_003} in {Places[(i / 6) % Places.Length]}: the review is on day {i % 28 + 1}, code {i:X5}-{i * 31 % 997}.";

    public static string Reply(int client, int turn) =>
        $"Reply {turn} to client {client}. {People[turn % People.Length]} said the trip to {Places[(turn + 1) % Places.Length]} is still planned for the spring, " +
        "that the hotel is booked for four nights and that the budget holds if the train is taken instead of the flight. " +
        "The open questions are the conference registration and who covers the dinner on the second evening; " +
        "a short list of options was shared in the thread last week.";
}
