using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Continuum.Testing;
using Xunit.Abstractions;

namespace Continuum.Server.Tests.Api;

/// <summary>
/// The routes the OpenAPI walk does not reach (the gateway at <c>/v1</c>, the web chat's <c>/chat/api</c>, MCP at
/// <c>/mcp</c> and the dashboard's pages), sent malformed bodies, charsets, Accept headers, headers and query values
/// from a fixed seed. Each route keeps its own error shape (OpenAI's on <c>/v1</c>, a problem document on
/// <c>/chat/api</c>), none answers a 5xx or logs an error, and what was stored before still reads back as it was.
/// </summary>
public sealed class OutsideApiFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261202;
    private const int Rounds = 60;

    private static readonly string[] BadValues =
    [
        "ses_nope", "usr_nope", "", " ", "x", "-1", "99999999999999999999", "%01", "%ED%A0%80", "%F0%28%8C%28", "..%2F..%2Fapi", new string('a', 300), "null", "%7B%7D",
    ];

    private readonly ITestOutputHelper _output = output;

    [Fact]
    public async Task Malformed_requests_outside_the_api_keep_their_route_error_shape_and_stored_data_stays_readable()
    {
        var logs = new LogCapture(Microsoft.Extensions.Logging.LogLevel.Error);
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var server = await ApiServer.StartAsync(
            logs,
            "--Continuum:Models:Chat:Endpoint", upstream.Endpoint,
            "--Continuum:Models:Chat:Model", upstream.ModelName,
            "--Continuum:Limits:MaxRequestBytes", "1048576");
        var witness = await server.OpenSessionAsync("telegram", "witness-" + Guid.NewGuid().ToString("N"));
        var witnessId = (string)witness["id"]!;
        await server.AppendAsync(witnessId, "the fan was at 82C before the fix");
        await server.AppendAsync(witnessId, "noted", "assistant");
        var before = await MessagesAsync(server, witnessId);
        // The walk's writes (gateway turns on a named session) go to the target; the witness is only read (by the
        // dashboard's pages), so it must read back exactly as it was.
        var target = (string)(await server.OpenSessionAsync("gateway", "target-" + Guid.NewGuid().ToString("N")))["id"]!;
        var pool = new[] { target, "fuzz", "gateway", "web", "ann", upstream.ModelName };
        var readPool = new[] { witnessId, target, "fuzz", "web" };

        var random = new Random(Seed);
        var failures = new List<string>();
        var statuses = new SortedDictionary<string, int>();
        var sent = 0;
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var route in Routes)
            {
                using var request = route.Build(random, route.Method == "GET" ? readPool : pool, out var description);
                if (await FuzzRequest.SendAsync(server.Http, request, description, route.Check, failures) is not { } status)
                {
                    continue;
                }

                sent++;
                var key = $"{route.Name} {status}";
                statuses[key] = statuses.GetValueOrDefault(key) + 1;
            }
        }

        _output.WriteLine($"{sent} requests: {string.Join(", ", statuses.Select(s => $"{s.Key} x{s.Value}"))}");
        foreach (var entry in logs.Entries)
        {
            _output.WriteLine(entry);
        }

        failures.ShouldBeEmpty(string.Join("\n", failures));
        sent.ShouldBe(Rounds * Routes.Length);
        statuses.Keys.ShouldContain(k => k.EndsWith(" 200", StringComparison.Ordinal), "some requests must get through, or the walk tests nothing but refusals");
        (await MessagesAsync(server, witnessId)).ShouldBe(before);
        await EverySessionReadsAsync(server);
        logs.Entries.ShouldBeEmpty();
    }

    // The witness's messages as read back. A dashboard read of its context may record a memory_loaded state event,
    // as any context build does; what was said must stay exactly as it was.
    private static async Task<List<string>> MessagesAsync(ApiServer server, string sessionId) =>
        [.. (await server.AllEventsAsync(sessionId)).Where(e => (string?)e["type"] == "message").Select(e => e.ToJsonString())];

    // Whatever the walk stored (gateway turns, web chat visitors) reads back through the API without a fault.
    private static async Task EverySessionReadsAsync(ApiServer server)
    {
        string? cursor = null;
        var read = 0;
        do
        {
            var page = await server.GetOkAsync("api/sessions?limit=200" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            foreach (var session in page["sessions"]!.AsArray())
            {
                var id = (string)session!["id"]!;
                await server.AllEventsAsync(id);
                (await server.GetAsync($"api/sessions/{id}/context")).Status.ShouldBe(HttpStatusCode.OK);
                read++;
            }

            cursor = (string?)page["next"];
        }
        while (cursor is not null);

        read.ShouldBeGreaterThan(1);
    }

    // (Declared before Routes, which takes them: static fields start in the order written.)
    // OpenAI's error shape, { "error": { "message": "...", "type": "..." } }, on every 4xx.
    private static readonly Func<HttpResponseMessage, int, string, string?> OpenAiShape = FuzzRequest.ErrorsAs((_, _, body) =>
        body is JsonObject { } root && root["error"] is JsonObject error && error["message"] is JsonValue && error["type"] is JsonValue ? null : "not OpenAI's error shape");

    private static readonly Func<HttpResponseMessage, int, string, string?> ProblemShape = FuzzRequest.ProblemDocument;

    private static readonly Func<HttpResponseMessage, int, string, string?> NoServerError = FuzzRequest.ErrorsAs((_, _, _) => null);

    private static readonly FuzzRoute[] Routes =
    [
        new("gateway", "POST", "v1/chat/completions", ChatBody, OpenAiShape, Headers: GatewayHeaders),
        new("models", "GET", "v1/models", null, OpenAiShape),
        new("chat-message", "POST", "chat/api/messages", r => new JsonObject { ["text"] = Text(r) }, ProblemShape),
        new("chat-link", "POST", "chat/api/link", r => new JsonObject { ["code"] = Text(r) }, ProblemShape),
        new("chat-new", "POST", "chat/api/new", _ => new JsonObject(), ProblemShape),
        new("chat-history", "GET", "chat/api/history", null, ProblemShape, Query: ["limit", "before", "after"]),
        new("mcp", "POST", "mcp", McpBody, NoServerError, Headers: McpHeaders),
        new("dashboard-sessions", "GET", "sessions", null, NoServerError, Query: ["user", "interface", "status", "from", "to", "q", "cursor"]),
        new("dashboard-session", "GET", "sessions/{id}", null, NoServerError, Query: ["query", "budget", "after"]),
        new("dashboard-user", "GET", "users/{id}", null, NoServerError, Query: ["q", "cursor"]),
        new("dashboard-overview", "GET", "", null, NoServerError, Query: ["from", "to"]),
        new("dashboard-users", "GET", "users", null, NoServerError, Query: ["cursor", "q"]),
        new("dashboard-agents", "GET", "agents", null, NoServerError, Query: ["cursor", "ns", "key", "pattern", "agent", "thread"]),
        new("dashboard-handoffs", "GET", "handoffs", null, NoServerError, Query: ["project", "cursor"]),
    ];

    private static JsonObject ChatBody(Random random)
    {
        var messages = new JsonArray();
        var count = random.Next(1, 5);
        var odd = random.Next(2) == 0 ? random.Next(count) : -1;
        for (var i = 0; i < count; i++)
        {
            var role = i % 2 == 0 ? "user" : "assistant";
            messages.Add(i == odd
                ? new JsonObject { ["role"] = random.Next(4) == 0 ? Text(random) : role, ["content"] = Text(random) }
                : new JsonObject { ["role"] = role, ["content"] = "turn " + i + " of " + random.Next(1000) });
        }

        var body = new JsonObject { ["model"] = random.Next(8) == 0 ? Text(random) : "fake-model", ["messages"] = messages };
        if (random.Next(2) == 0)
        {
            body["stream"] = random.Next(6) == 0 ? JsonValue.Create("yes") : JsonValue.Create(true);
        }

        if (random.Next(4) == 0)
        {
            body["user"] = Text(random);
        }

        return body;
    }

    private static JsonObject McpBody(Random random) => random.Next(3) switch
    {
        0 => new JsonObject { ["jsonrpc"] = "2.0", ["id"] = random.Next(100), ["method"] = Text(random) },
        1 => new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = "tools/call", ["params"] = new JsonObject { ["name"] = Text(random), ["arguments"] = new JsonObject { ["sessionId"] = Text(random) } } },
        _ => new JsonObject
        {
            ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = "initialize",
            ["params"] = new JsonObject { ["protocolVersion"] = Text(random), ["capabilities"] = new JsonObject(), ["clientInfo"] = new JsonObject { ["name"] = "fuzz", ["version"] = "1" } },
        },
    };

    private static IEnumerable<(string Name, string Value)> GatewayHeaders(Random random, string[] pool)
    {
        switch (random.Next(4))
        {
            case 0:
                yield return ("X-Continuum-Session", random.Next(2) == 0 ? pool[random.Next(pool.Length)] : BadValues[random.Next(BadValues.Length)]);
                break;
            case 1:
                yield return ("X-Continuum-User", random.Next(2) == 0 ? "fuzz-user" : BadValues[random.Next(BadValues.Length)]);
                yield return ("X-Continuum-Interface", random.Next(2) == 0 ? "curl" : BadValues[random.Next(BadValues.Length)]);
                break;
            case 2:
                yield return ("X-Continuum-Inject", random.Next(2) == 0 ? "false" : "maybe");
                yield return ("X-Continuum-User", "fuzz-user");
                break;
            default:
                break;
        }
    }

    private static IEnumerable<(string Name, string Value)> McpHeaders(Random random, string[] pool)
    {
        if (random.Next(2) == 0)
        {
            yield return ("Mcp-Session-Id", BadValues[random.Next(BadValues.Length)]);
        }
    }

    // Strings that stress the checks: lone surrogates (as JSON escapes), control characters, long and empty text.
    private static string Text(Random random) => random.Next(7) switch
    {
        0 => "\ud800",
        1 => "nul\u0000inside",
        2 => new string('z', random.Next(1, 5000)),
        3 => "",
        4 => "what did we find?",
        5 => "é😀\u200b",
        _ => "plain text " + random.Next(1000),
    };

    private sealed record FuzzRoute(
        string Name,
        string Method,
        string Path,
        Func<Random, JsonNode>? Body,
        Func<HttpResponseMessage, int, string, string?> Check,
        Func<Random, string[], IEnumerable<(string Name, string Value)>>? Headers = null,
        string[]? Query = null)
    {
        public HttpRequestMessage Build(Random random, string[] pool, out string description)
        {
            var path = Path.Replace("{id}", random.Next(2) == 0 ? Uri.EscapeDataString(pool[random.Next(pool.Length)]) : BadValues[random.Next(BadValues.Length)], StringComparison.Ordinal);
            var query = (Query ?? []).Where(_ => random.Next(3) == 0).Select(q => $"{q}={BadValues[random.Next(BadValues.Length)]}").ToList();
            var uri = path + (query.Count > 0 ? "?" + string.Join('&', query) : "");
            var request = new HttpRequestMessage(new HttpMethod(Method), uri);
            byte[]? bytes = null;
            var mutation = "no body";
            if (Body is not null)
            {
                (bytes, mutation) = Mutate(Body(random), random);
            }

            mutation += ", " + FuzzRequest.Dress(request, bytes, random);
            foreach (var (name, value) in Headers?.Invoke(random, pool) ?? [])
            {
                request.Headers.TryAddWithoutValidation(name, value);
                mutation += $", {name}: {value[..Math.Min(value.Length, 40)]}";
            }

            description = $"{Method} /{uri[..Math.Min(uri.Length, 160)]} ({mutation})";
            return request;
        }

        private static (byte[] Bytes, string Kind) Mutate(JsonNode body, Random random)
        {
            var json = body.ToJsonString();
            return random.Next(9) switch
            {
                0 => (Encoding.UTF8.GetBytes(json[..(json.Length / 2)]), "truncated"),
                1 => ([.. Encoding.UTF8.GetBytes(json[..^1]), 0xC3, 0x28, (byte)'}'], "bad UTF-8"),
                2 => (Encoding.UTF8.GetBytes(json.Insert(1, "\"model\":1,\"model\":2,")), "duplicate member"),
                3 => (Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)), "deep nesting"),
                4 => (Encoding.UTF8.GetBytes("null"), "null"),
                5 => ([], "empty"),
                6 => (Encoding.UTF8.GetBytes("[" + json + "]"), "wrong type"),
                _ => (Encoding.UTF8.GetBytes(json), "as generated"),
            };
        }
    }
}
