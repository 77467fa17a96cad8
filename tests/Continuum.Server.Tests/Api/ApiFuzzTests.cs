using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Continuum.Server.Tests.Api;

/// <summary>
/// Walks every operation of the served OpenAPI document with malformed bodies, headers and ids (from a fixed
/// seed), and holds the server to three rules: no 5xx, a problem document on every 4xx, and all data seeded
/// before the walk still reads back as it was.
/// </summary>
public sealed class ApiFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261201;
    private const int Rounds = 20;
    private const string Surrogate = "@@surrogate@@";
    private const string BadBytes = "@@bad-utf8@@";
    private const string Duplicate = "@@duplicate@@";

    // Kestrel itself refuses a NUL in the path (a bare 400 before any application code runs), so ids here stop
    // short of %00; control characters, bad UTF-8 escapes, overlong and traversal ids all reach the API.
    private static readonly string[] MalformedIds =
    [
        "ses_nope", "usr_nope", "hof_nope", "x", "-1", "0", "99999999999999999999", "%01", "%7F", "%F0%28%8C%28", "%ED%A0%80", "..%2F..%2Fapi",
        new string('a', 300), "%20lead", "é", "ses_" + new string('0', 26), "null", "%7B%7D",
    ];

    private readonly ITestOutputHelper _output = output;

    [Fact]
    public async Task Malformed_requests_to_every_operation_get_a_4xx_problem_and_seeded_data_stays_readable()
    {
        var logs = new LogCapture(Microsoft.Extensions.Logging.LogLevel.Error);
        await using var server = await ApiServer.StartAsync(logs, "--Continuum:Limits:MaxRequestBytes", "1048576");
        var witness = await SeedAsync(server, "witness");
        var target = await SeedAsync(server, "target");
        var before = await SnapshotAsync(server, witness);
        var operations = OpenApiOperation.All(await server.GetOkAsync("openapi/v1.json"));
        operations.Count.ShouldBeGreaterThan(30);
        var pool = target.Ids.Concat(["web", "cli", "agent", "note", "request", "user", "assistant", "message", "medium", "fuzz", "closed", "active", "new"]).ToArray();

        var random = new Random(Seed);
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var operation in operations)
            {
                for (var attempt = 0; attempt < 4; attempt++)
                {
                    using var request = Build(operation, random, pool, out var description);
                    if (await FuzzRequest.SendAsync(server.Http, request, description, FuzzRequest.ProblemDocument, failures) is not { } status)
                    {
                        continue;
                    }

                    sent++;
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                }
            }
        }

        _output.WriteLine($"{sent} requests over {operations.Count} operations in {clock.Elapsed.TotalSeconds:F1} s: {string.Join(", ", statuses.Select(s => $"{s.Key} x{s.Value}"))}");
        failures.ShouldBeEmpty(string.Join("\n", failures));
        sent.ShouldBeGreaterThan(2000);
        try
        {
            (await SnapshotAsync(server, witness)).ShouldBe(before);
            await ReadEverythingAsync(server, witness);
        }
        finally
        {
            foreach (var entry in logs.Entries)
            {
                _output.WriteLine(entry);
            }
        }

        logs.Entries.ShouldBeEmpty();
    }

    private static HttpRequestMessage Build(OpenApiOperation operation, Random random, string[] pool, out string description)
    {
        var path = operation.Path;
        foreach (var name in operation.PathParameters)
        {
            var value = random.Next(3) == 0 ? MalformedIds[random.Next(MalformedIds.Length)] : Uri.EscapeDataString(pool[random.Next(pool.Length)]);
            path = path.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }

        var query = operation.QueryParameters.Where(_ => random.Next(2) == 0)
            .Select(q => $"{q}={QueryValue(random, pool)}").ToList();
        var uri = path.TrimStart('/') + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        var request = new HttpRequestMessage(new HttpMethod(operation.Method), uri);
        byte[]? bytes = null;
        var mutation = "no body";
        if (operation.Body is not null || random.Next(8) == 0)
        {
            (bytes, mutation) = Body(operation.Body ?? new JsonObject(), operation.Document, random, pool);
        }

        mutation += ", " + FuzzRequest.Dress(request, bytes, random);
        description = $"{operation.Method} /{uri[..Math.Min(uri.Length, 200)]} ({mutation})";
        return request;
    }

    private static string QueryValue(Random random, string[] pool) => random.Next(6) switch
    {
        0 => "abc",
        1 => "-1",
        2 => "99999999999999999999",
        3 => "%00",
        4 => random.Next(1, 50).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Uri.EscapeDataString(pool[random.Next(pool.Length)]),
    };

    private static (byte[] Bytes, string Kind) Body(JsonNode schema, JsonObject document, Random random, string[] pool)
    {
        var value = Generate(schema, document, random, pool, 0);
        var kind = random.Next(12);
        switch (kind)
        {
            case 0:
                return (Encoding.UTF8.GetBytes(value?.ToJsonString() ?? "null"), "valid");
            case 1:
                Mutate(value, random, _ => Wrong(random));
                return (Bytes(value), "wrong types");
            case 2:
                Mutate(value, random, _ => null);
                return (Bytes(value), "nulls");
            case 3:
                var text = value?.ToJsonString() ?? "{}";
                return (Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]), "truncated");
            case 4:
                Mutate(value, random, _ => "x" + Surrogate);
                return (Bytes(value), "lone surrogates");
            case 5:
                Mutate(value, random, _ => new string('h', random.Next(2) == 0 ? 300 * 1024 : 450 * 1024));
                return (Bytes(value), "huge strings");
            case 6:
                if (value is JsonObject duplicated && duplicated.Count > 0)
                {
                    duplicated[Duplicate] = Wrong(random);
                }

                return (Bytes(value, duplicateOf: (value as JsonObject)?.FirstOrDefault().Key), "duplicate keys");
            case 7:
                Mutate(value, random, _ => "a" + BadBytes + "b");
                return (Bytes(value), "invalid UTF-8");
            case 8:
                Mutate(value, random, _ => "nul\u0000");
                return (Bytes(value), "NUL characters");
            case 9:
                return (Encoding.UTF8.GetBytes(new string('[', 200) + new string(']', 200)), "deep nesting");
            case 10:
                return (Encoding.UTF8.GetBytes(random.Next(4) switch { 0 => "[]", 1 => "42", 2 => "\"text\"", _ => "" }), "not an object");
            default:
                Mutate(value, random, _ => JsonValue.Create(pool[random.Next(pool.Length)]));
                return (Bytes(value), "pool values");
        }
    }

    private static byte[] Bytes(JsonNode? value, string? duplicateOf = null)
    {
        var text = value?.ToJsonString() ?? "null";
        if (duplicateOf is not null)
        {
            text = text.Replace(JsonSerializer.Serialize(Duplicate), JsonSerializer.Serialize(duplicateOf), StringComparison.Ordinal);
        }

        text = text.Replace(Surrogate, "\\ud800", StringComparison.Ordinal);
        var parts = text.Split(BadBytes);
        var bytes = new List<byte>();
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                bytes.AddRange([0xC3, 0x28, 0xFF]);
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(parts[i]));
        }

        return [.. bytes];
    }

    // Replaces one or two members or items anywhere in the tree.
    private static void Mutate(JsonNode? value, Random random, Func<JsonNode?, JsonNode?> replace)
    {
        var slots = new List<(JsonNode Parent, object Key)>();
        Collect(value, slots);
        if (slots.Count == 0)
        {
            return;
        }

        for (var i = 0; i < 1 + random.Next(2); i++)
        {
            var (parent, key) = slots[random.Next(slots.Count)];
            if (parent is JsonObject o && key is string name)
            {
                o[name] = replace(o[name]);
            }
            else if (parent is JsonArray a && key is int index && index < a.Count)
            {
                a[index] = replace(a[index]);
            }
        }
    }

    private static void Collect(JsonNode? node, List<(JsonNode Parent, object Key)> slots)
    {
        if (node is JsonObject o)
        {
            foreach (var (name, child) in o.ToList())
            {
                slots.Add((o, name));
                Collect(child, slots);
            }
        }
        else if (node is JsonArray a)
        {
            for (var i = 0; i < a.Count; i++)
            {
                slots.Add((a, i));
                Collect(a[i], slots);
            }
        }
    }

    private static JsonNode? Wrong(Random random) => random.Next(5) switch
    {
        0 => JsonValue.Create(random.Next(-5, 5)),
        1 => new JsonArray(JsonValue.Create(5), null),
        2 => new JsonObject { ["k"] = "v" },
        3 => JsonValue.Create(random.Next(2) == 0),
        _ => JsonValue.Create(1.5e300),
    };

    // A value that fits the schema, with values from the pool, so that requests reach past the first check.
    private static JsonNode? Generate(JsonNode? schema, JsonObject document, Random random, string[] pool, int depth)
    {
        schema = OpenApiOperation.Resolve(schema, document);
        if (schema is not JsonObject s || depth > 5)
        {
            return JsonValue.Create(pool[random.Next(pool.Length)]);
        }

        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (s[combinator] is JsonArray choices && choices.Count > 0)
            {
                var options = choices.Where(c => Types(OpenApiOperation.Resolve(c, document)).All(t => t != "null")).ToList();
                return Generate(options.Count > 0 ? options[random.Next(options.Count)] : choices[0], document, random, pool, depth);
            }
        }

        if (s["enum"] is JsonArray values && values.Count > 0)
        {
            return values[random.Next(values.Count)]?.DeepClone();
        }

        var types = Types(s).Where(t => t != "null").ToList();
        var type = types.Count > 0 ? types[random.Next(types.Count)] : s["properties"] is not null ? "object" : "any";
        switch (type)
        {
            case "object":
                var result = new JsonObject();
                if (s["properties"] is JsonObject properties)
                {
                    foreach (var (name, property) in properties)
                    {
                        if (random.Next(4) != 0)
                        {
                            result[name] = Generate(property, document, random, pool, depth + 1);
                        }
                    }
                }
                else
                {
                    result["key"] = Generate(s["additionalProperties"], document, random, pool, depth + 1);
                }

                return result;
            case "array":
                var array = new JsonArray();
                for (var i = random.Next(3); i > 0; i--)
                {
                    array.Add(Generate(s["items"], document, random, pool, depth + 1));
                }

                return array;
            case "integer":
                return JsonValue.Create(random.Next(0, 3) switch { 0 => 0, 1 => random.Next(1, 100), _ => random.Next(100, 100_000) });
            case "number":
                return JsonValue.Create(random.NextDouble() * 10);
            case "boolean":
                return JsonValue.Create(random.Next(2) == 0);
            case "string":
                return s["format"]?.GetValue<string>() == "date-time" ? JsonValue.Create("2026-01-01T00:00:00Z") : JsonValue.Create(pool[random.Next(pool.Length)]);
            default:
                return random.Next(3) switch
                {
                    0 => new JsonObject { ["goal"] = "fuzz", ["decisions"] = new JsonArray("d", new JsonObject { ["decision"] = "e" }), ["nextSteps"] = new JsonArray("n") },
                    1 => JsonValue.Create(pool[random.Next(pool.Length)]),
                    _ => new JsonObject { ["k"] = new JsonArray(1, "two", null) },
                };
        }
    }

    private static IEnumerable<string> Types(JsonNode? schema) => (schema as JsonObject)?["type"] switch
    {
        JsonArray many => many.Select(t => (string)t!),
        JsonValue one => [(string)one!],
        _ => [],
    };

    private static async Task<Seeded> SeedAsync(ApiServer server, string name)
    {
        var user = (string)(await server.PostOkAsync("api/users/resolve", new { @interface = "web", externalUserId = name + "-person" }, HttpStatusCode.Created))["id"]!;
        var session = (string)(await server.PostOkAsync("api/sessions", new { userId = user, @interface = "web", mode = "new", title = name, metadata = new { source = name, emoji = "\U0001F600" } }))["id"]!;
        await server.PostOkAsync($"api/sessions/{session}/events:batch", new
        {
            events = new object[]
            {
                new { role = "user", content = $"I am {name} and I like green tea", metadata = new { n = 1 } },
                new { role = "assistant", content = "Noted: green tea." },
            },
        });
        var agent = (string)(await server.PostOkAsync("api/sessions", new { @interface = "agent", agentId = name + "-agent", mode = "new" }))["id"]!;
        var peer = (string)(await server.PostOkAsync("api/sessions", new { @interface = "agent", agentId = name + "-peer", mode = "new" }))["id"]!;
        var ns = name + "-ns";
        foreach (var a in new[] { agent, peer })
        {
            (await server.SendAsync(HttpMethod.Put, $"api/agents/{a}", new { agentName = name + a[^6..], agentType = "worker", capabilities = new[] { "code" }, @namespace = ns })).Status.ShouldBe(HttpStatusCode.Created);
        }

        var message = (long)(await server.PostOkAsync("api/messages", new { from = agent, to = peer, type = "request", subject = "review", data = new { pr = 7 }, @namespace = ns }))["id"]!;
        (await server.SendAsync(HttpMethod.Put, $"api/shared/{ns}/plan", new { sessionId = agent, value = new { step = 1 }, type = "note" })).Status.ShouldBe(HttpStatusCode.Created);
        var memory = (string)(await server.PostOkAsync("api/memories", new { userId = user, content = $"{name} likes green tea", sessionId = session }))["memory"]!["id"]!;
        var handoff = (string)(await server.PostOkAsync($"api/handoffs?project={name}-project", new { goal = "ship", decisions = new[] { "use SQLite" }, nextSteps = new[] { "write docs" } }))["handoff"]!["id"]!;
        return new Seeded(name, user, session, agent, peer, ns, message, memory, handoff);
    }

    // The witness's data as read back: the same before and after the walk.
    private static async Task<string> SnapshotAsync(ApiServer server, Seeded s)
    {
        var reads = new List<string>();
        foreach (var path in new[]
        {
            $"api/users/{s.User}", $"api/sessions/{s.Session}", $"api/sessions/{s.Session}/events?after=0&limit=1000", $"api/sessions/{s.Session}/links",
            $"api/memories/{s.Memory}", $"api/memories?userId={s.User}", $"api/handoffs/{s.Handoff}", $"api/handoffs?project={s.Name}-project",
            $"api/knowledge?project={s.Name}-project", $"api/agents/{s.Peer}/inbox", $"api/shared/{s.Namespace}/plan", $"api/messages/{s.Message}/thread",
        })
        {
            var reply = await server.GetAsync(path);
            reply.Status.ShouldBe(HttpStatusCode.OK, $"{path}: {reply.Text}");
            // The knowledge base says when it was read; everything else must be as it was.
            var read = JsonNode.Parse(reply.Text)!;
            read.AsObject().Remove("asOf");
            reads.Add(path + " " + read.ToJsonString());
        }

        (await server.GetOkAsync($"api/agents/{s.Agent}"))["agentName"].ShouldNotBeNull();
        return string.Join("\n", reads);
    }

    // Every list and every item in it reads back after the walk, whatever the walk stored.
    private static async Task ReadEverythingAsync(ApiServer server, Seeded witness)
    {
        var sessions = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var page = await server.GetOkAsync("api/sessions?limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            sessions.AddRange(page["sessions"]!.AsArray().Select(x => x!.AsObject()));
            cursor = (string?)page["next"];
        }
        while (cursor is not null);

        var listed = sessions.Select(x => (string)x["id"]!).ToHashSet();
        new[] { witness.Session, witness.Agent, witness.Peer }.ShouldAllBe(id => listed.Contains(id));
        foreach (var session in sessions)
        {
            var id = (string)session["id"]!;
            await server.GetOkAsync($"api/sessions/{id}");
            await server.AllEventsAsync(id);
            await server.GetOkAsync($"api/sessions/{id}/links");
            if ((string?)session["userId"] is { } user)
            {
                await server.GetOkAsync($"api/users/{user}");
                await server.GetOkAsync($"api/memories?userId={user}");
                await server.GetOkAsync($"api/users/{user}/conversations");
            }
        }

        foreach (var project in (await server.GetOkAsync("api/projects?limit=1000"))["projects"]!.AsArray())
        {
            var name = Uri.EscapeDataString((string)project!);
            foreach (var handoff in (await server.GetOkAsync($"api/handoffs?project={name}&limit=1000"))["handoffs"]!.AsArray())
            {
                await server.GetOkAsync($"api/handoffs/{(string)handoff!["id"]!}");
            }

            await server.GetOkAsync($"api/knowledge?project={name}");
            (await server.GetAsync($"api/briefing?project={name}")).Status.ShouldBe(HttpStatusCode.OK);
        }

        foreach (var agent in (await server.GetOkAsync("api/agents?all=true"))["agents"]!.AsArray())
        {
            var id = (string)agent!["sessionId"]!;
            await server.GetOkAsync($"api/agents/{id}");
            foreach (var message in (await server.GetOkAsync($"api/agents/{id}/inbox"))["messages"]!.AsArray())
            {
                await server.GetOkAsync($"api/messages/{(long)message!["id"]!}/thread");
            }

            await server.GetOkAsync($"api/shared/{Uri.EscapeDataString((string)agent["namespace"]!)}");
        }

        await server.GetOkAsync("api/shared/fuzz");
        await server.GetOkAsync("api/stats");
    }

    private sealed record Seeded(string Name, string User, string Session, string Agent, string Peer, string Namespace, long Message, string Memory, string Handoff)
    {
        public IEnumerable<string> Ids => [User, Session, Agent, Peer, Namespace, Message.ToString(System.Globalization.CultureInfo.InvariantCulture), Memory, Handoff, Name + "-project", "plan"];
    }
}
