using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Xunit.Abstractions;

namespace Continuum.Server.Tests.Security;

/// <summary>
/// With keys required, walks every operation of the served OpenAPI document and sends it with no key, a malformed
/// key, a revoked key, another tenant's key with this tenant's ids, a read key on a write, a user-bound key with
/// another user's ids and a namespace-bound key with another namespace's names. Each must be refused (401, 403 or
/// 404 as fitting), no answer may hold the victim's seeded tokens, and the victim's data reads back unchanged.
/// </summary>
public sealed class AdversarialTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_operation_refuses_every_wrong_key_and_leaks_nothing_of_another_tenant_user_or_namespace()
    {
        await using var server = await ApiServer.StartAsync("--Continuum:Security:RequireKeys", "true");
        var victim = await VictimAsync(server);
        var before = await SnapshotAsync(victim);
        // Registrations go last: another tenant's reads of the victim's agent run before it registers one of its own.
        var operations = OpenApiOperation.All(await new KeyedClient(server, null).OkAsync(HttpMethod.Get, "openapi/v1.json")).OrderBy(o => o.IsAgentRegistration).ToList();
        operations.Count.ShouldBeGreaterThan(30);

        var revoked = await KeyedClient.CreateKeyAsync(server, "victim", "read,write,admin");
        await victim.Admin.OkAsync(HttpMethod.Delete, $"api/keys/{revoked.Key.Id}");
        var cases = new (string Name, KeyedClient Client, Func<OpenApiOperation, HttpStatusCode[]?> Expected, string[] Forbidden)[]
        {
            ("no key", new KeyedClient(server, null), _ => [HttpStatusCode.Unauthorized], victim.AllTokens),
            ("malformed key", new KeyedClient(server, "Bearer ck_live_not-a-real-key"), _ => [HttpStatusCode.Unauthorized], victim.AllTokens),
            ("revoked key", new KeyedClient(server, "Bearer " + revoked.Secret), _ => [HttpStatusCode.Unauthorized], victim.AllTokens),
            ("other tenant's key with this tenant's ids", await KeyedClient.WithNewKeyAsync(server, "intruder", "read,write,admin"), CrossTenant, victim.AllTokens),
            ("read key on a write", await KeyedClient.WithNewKeyAsync(server, "victim", "read"), o => o.IsWrite ? [HttpStatusCode.Forbidden] : null, []),
            ("user-bound key with another user's ids", await KeyedClient.WithNewKeyAsync(server, "victim", "read,write", userId: victim.UserB), _ => Refusals, victim.AllTokens.Where(t => t != victim.TokenB).ToArray()),
            ("namespace-bound key on another namespace", await KeyedClient.WithNewKeyAsync(server, "victim", "read,write", ns: "elsewhere"), _ => Refusals, victim.AllTokens),
        };

        var failures = new List<string>();
        var tried = 0;
        var refused = 0;
        foreach (var (name, client, expected, forbidden) in cases)
        {
            var (caseTried, caseRefused) = (0, 0);
            foreach (var operation in operations)
            {
                var want = expected(operation);
                var (path, body) = Fill(operation, victim);
                var reply = await client.SendAsync(new HttpMethod(operation.Method), path, body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
                caseTried++;
                var status = (int)reply.Status;
                if (status is >= 400 and < 500)
                {
                    caseRefused++;
                }

                if (want is not null && !want.Contains(reply.Status))
                {
                    failures.Add($"{name}: {operation.Method} {path} -> {status}, expected {string.Join(" or ", want.Select(w => (int)w))}: {Clip(reply.Text)}");
                }
                else if (status >= 400 && reply.MediaType != "application/problem+json")
                {
                    failures.Add($"{name}: {operation.Method} {path} -> {status} without a problem document");
                }

                if (forbidden.FirstOrDefault(t => reply.Text.Contains(t, StringComparison.Ordinal)) is { } leaked)
                {
                    failures.Add($"{name}: {operation.Method} {path} -> {status} leaked '{leaked}': {Clip(reply.Text)}");
                }
            }

            output.WriteLine($"{name}: {caseTried} requests, {caseRefused} refused");
            tried += caseTried;
            refused += caseRefused;
        }

        output.WriteLine($"{operations.Count} operations x {cases.Length} kinds of wrong key: {tried} requests tried, {refused} refused");
        failures.ShouldBeEmpty(string.Join("\n", failures.Take(60)));
        (await SnapshotAsync(victim)).ShouldBe(before, "the victim's data reads back as it was");
        (await victim.Admin.GetAsync("api/sessions")).Status.ShouldBe(HttpStatusCode.OK, "the victim's admin key still works");
    }

    private static readonly HttpStatusCode[] Refusals = [HttpStatusCode.NotFound, HttpStatusCode.Forbidden, HttpStatusCode.BadRequest];

    // Another tenant's key may use its own tenant (list its sessions, write its own shared memory, unlink its own
    // identity, register its own agent or read its own inbox under any session id: the hub takes session ids as
    // names, as it takes messages to sessions never registered; each tenant has its own), but every id of the
    // victim's it names is a 404, never a 403 that would say the id exists. The token check covers the rest.
    private static HttpStatusCode[]? CrossTenant(OpenApiOperation operation) =>
        operation.IsAgentRegistration || operation.Path == "/api/agents/{sessionId}/inbox"
            || !operation.PathParameters.Any(p => p is not ("ns" or "key" or "interface" or "externalUserId"))
            ? null
            : [HttpStatusCode.NotFound, HttpStatusCode.BadRequest];

    private static async Task<Victim> VictimAsync(ApiServer server)
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        var admin = await KeyedClient.WithNewKeyAsync(server, "victim", "read,write,admin");
        var tokenA = "alicetoken" + unique;
        var tokenB = "bobtoken" + unique;
        var tokenNs = "nstoken" + unique;
        var tokenTenant = "tenanttoken" + unique;
        var a = await admin.OkAsync(HttpMethod.Post, "api/sessions", new { identity = new { @interface = "web", externalUserId = "victim-alice" }, @interface = "web", mode = "new", title = tokenA }, HttpStatusCode.Created);
        var b = await admin.OkAsync(HttpMethod.Post, "api/sessions", new { identity = new { @interface = "web", externalUserId = "victim-bob" }, @interface = "web", mode = "new" }, HttpStatusCode.Created);
        var (sessionA, userA) = ((string)a["id"]!, (string)a["userId"]!);
        await admin.OkAsync(HttpMethod.Post, $"api/sessions/{sessionA}/events:batch", new { events = new object[] { new { content = $"my secret is {tokenA}" }, new { role = "assistant", content = $"noted {tokenA}" } } }, HttpStatusCode.Created);
        await admin.OkAsync(HttpMethod.Post, $"api/sessions/{(string)b["id"]!}/events", new { content = $"bob says {tokenB}" }, HttpStatusCode.Created);
        var memory = (string)(await admin.OkAsync(HttpMethod.Post, "api/memories", new { userId = userA, content = $"alice keeps {tokenA}" }, HttpStatusCode.Created))["memory"]!["id"]!;
        var agents = new List<string>();
        foreach (var name in new[] { "vagent" + unique, "vpeer" + unique })
        {
            var session = (string)(await admin.OkAsync(HttpMethod.Post, "api/sessions", new { @interface = "agent", agentId = name, mode = "new" }, HttpStatusCode.Created))["id"]!;
            await admin.OkAsync(HttpMethod.Put, $"api/agents/{session}", new { agentName = name, agentType = "worker", capabilities = new[] { "code" }, @namespace = "vns" }, HttpStatusCode.Created);
            agents.Add(session);
        }

        var message = (long)(await admin.OkAsync(HttpMethod.Post, "api/messages", new { from = agents[0], to = agents[1], type = "request", subject = tokenNs, @namespace = "vns" }, HttpStatusCode.Created))["id"]!;
        await admin.OkAsync(HttpMethod.Put, "api/shared/vns/plan", new { sessionId = agents[0], value = tokenNs, type = "note" }, HttpStatusCode.Created);
        var handoff = (string)(await admin.OkAsync(HttpMethod.Post, "api/handoffs?project=vproject", new { goal = tokenTenant, nextSteps = new[] { tokenTenant } }, HttpStatusCode.Created))["handoff"]!["id"]!;
        var keyId = (string)(await admin.OkAsync(HttpMethod.Get, "api/keys"))["keys"]![0]!["id"]!;
        return new Victim(admin, userA, (string)b["userId"]!, sessionA, memory, agents[0], agents[1], message, handoff, keyId, tokenA, tokenB, tokenNs + "|vagent" + unique, tokenTenant);
    }

    private static async Task<string> SnapshotAsync(Victim v)
    {
        var reads = new StringBuilder();
        foreach (var path in new[]
        {
            $"api/sessions/{v.SessionA}/events?after=0&limit=1000", $"api/users/{v.UserA}", $"api/memories/{v.Memory}", $"api/memories?userId={v.UserA}",
            "api/shared/vns/plan", $"api/agents/{v.Agent}", $"api/messages/{v.Message}", $"api/handoffs/{v.Handoff}", $"api/keys/{v.KeyId}",
        })
        {
            var reply = await v.Admin.GetAsync(path);
            reply.Status.ShouldBe(HttpStatusCode.OK, $"{path}: {reply.Text}");

            // Times a read moves (last seen, last used) are not the data, nor the memory_loaded record the victim's own
            // read key leaves when it builds the session's context.
            var json = JsonNode.Parse(reply.Text)!;
            Strip(json, ["lastSeenAt", "lastUsedAt", "status", "traceId"]);
            if (json["events"] is JsonArray events)
            {
                foreach (var loaded in events.Where(e => (string?)e!["name"] == "memory_loaded").ToList())
                {
                    events.Remove(loaded);
                }
            }
            reads.AppendLine(path + " " + json.ToJsonString());
        }

        return reads.ToString();
    }

    private static void Strip(JsonNode? node, string[] names)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var name in names)
                {
                    o.Remove(name);
                }

                foreach (var (_, child) in o)
                {
                    Strip(child, names);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Strip(child, names);
                }

                break;
        }
    }

    // The victim's ids in every slot that takes one: the path, the query and the body.
    private static (string Path, JsonNode? Body) Fill(OpenApiOperation operation, Victim v)
    {
        var agentPath = operation.Path.StartsWith("/api/agents", StringComparison.Ordinal) || operation.Path.StartsWith("/api/messages", StringComparison.Ordinal)
            || operation.Path.StartsWith("/api/shared", StringComparison.Ordinal);
        var path = operation.Path;
        foreach (var name in operation.PathParameters)
        {
            var value = name switch
            {
                "ns" or "namespace" => "vns",
                "key" => "plan",
                "interface" => "web",
                "externalUserId" => "victim-alice",
                "sessionId" => agentPath ? v.Agent : v.SessionA,
                _ when operation.Path.StartsWith("/api/users", StringComparison.Ordinal) => v.UserA,
                _ when operation.Path.StartsWith("/api/memories", StringComparison.Ordinal) => v.Memory,
                _ when operation.Path.StartsWith("/api/handoffs", StringComparison.Ordinal) => v.Handoff,
                _ when operation.Path.StartsWith("/api/messages", StringComparison.Ordinal) => v.Message.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ when operation.Path.StartsWith("/api/keys", StringComparison.Ordinal) => v.KeyId,
                _ => v.SessionA,
            };
            path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        var query = operation.QueryParameters.Select(q => q switch
        {
            "userId" => $"userId={v.UserA}",
            "sessionId" or "session" => $"{q}={(agentPath ? v.Agent : v.SessionA)}",
            "project" => "project=vproject",
            "namespace" => "namespace=vns",
            "query" => "query=secret",
            _ => null,
        }).OfType<string>().ToList();
        path = path.TrimStart('/') + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        var body = operation.Body is null ? null : Generate(operation.Body, operation.Document, v, agentPath, 0);
        return (path, body);
    }

    private static JsonNode? Generate(JsonNode? schema, JsonObject document, Victim v, bool agentPath, int depth, string? name = null)
    {
        schema = OpenApiOperation.Resolve(schema, document);
        JsonNode? named = name switch
        {
            "userId" or "survivorId" => JsonValue.Create(v.UserA),
            "sessionId" => JsonValue.Create(agentPath ? v.Agent : v.SessionA),
            "from" => JsonValue.Create(v.Agent),
            "to" => JsonValue.Create(v.Peer),
            "replyTo" => JsonValue.Create(v.Message),
            "namespace" => JsonValue.Create("vns"),
            "project" => JsonValue.Create("vproject"),
            "interface" => JsonValue.Create("web"),
            "externalUserId" => JsonValue.Create("victim-alice"),
            "query" or "content" or "subject" or "goal" or "agentName" or "agentType" => JsonValue.Create("probe secret"),
            "scopes" => new JsonArray(JsonValue.Create("read")),
            "type" when agentPath => JsonValue.Create("note"),
            _ => (JsonNode?)null,
        };
        if (named is not null)
        {
            return named;
        }

        if (schema is not JsonObject s || depth > 3)
        {
            return JsonValue.Create("probe");
        }

        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (s[combinator] is JsonArray choices && choices.Count > 0)
            {
                var choice = choices.FirstOrDefault(c => (OpenApiOperation.Resolve(c, document) as JsonObject)?["type"]?.ToString() is not "null") ?? choices[0];
                return Generate(choice, document, v, agentPath, depth, name);
            }
        }

        if (s["enum"] is JsonArray values && values.Count > 0)
        {
            return values[0]?.DeepClone();
        }

        var type = s["type"] switch
        {
            JsonArray many => many.Select(t => (string)t!).FirstOrDefault(t => t != "null"),
            JsonValue one => (string)one!,
            _ => s["properties"] is not null ? "object" : null,
        };
        switch (type)
        {
            case "object":
                var result = new JsonObject();
                foreach (var (property, propertySchema) in s["properties"] as JsonObject ?? [])
                {
                    result[property] = Generate(propertySchema, document, v, agentPath, depth + 1, property);
                }

                return result;
            case "array":
                return new JsonArray();
            case "integer":
            case "number":
                return JsonValue.Create(1);
            case "boolean":
                return JsonValue.Create(false);
            default:
                return JsonValue.Create("probe");
        }
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private sealed record Victim(
        KeyedClient Admin, string UserA, string UserB, string SessionA, string Memory, string Agent, string Peer, long Message, string Handoff, string KeyId,
        string TokenA, string TokenB, string TokenNamespace, string TokenTenant)
    {
        public string[] AllTokens => [TokenA, TokenB, .. TokenNamespace.Split('|'), TokenTenant];
    }
}
