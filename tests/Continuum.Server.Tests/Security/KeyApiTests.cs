using System.Net;
using System.Text.Json.Nodes;
using Continuum.Security;
using Continuum.Server.Tests.Api;

namespace Continuum.Server.Tests.Security;

/// <summary>API keys over real HTTP with keys required: 401 and 403 as problem documents, scopes, expiry, revocation, tenants.</summary>
public sealed class KeyApiTests
{
    private static readonly string[] RequireKeys = ["--Continuum:Security:RequireKeys", "true"];

    [Fact]
    public async Task Without_a_valid_key_every_path_but_health_and_openapi_is_401_with_a_bearer_challenge()
    {
        await using var server = await ApiServer.StartAsync(RequireKeys);
        foreach (var authorization in new string?[] { null, "Bearer ck_live_nothing", "Basic dXNlcjpwYXNz", "Bearer ck_live_abcdefgh_" + new string('A', 43), "Bearer " })
        {
            var client = new KeyedClient(server, authorization);
            foreach (var path in new[] { "api/sessions", "api/stats", "api/keys", "no-such-route", "" })
            {
                var reply = await client.GetAsync(path);
                reply.ShouldBeProblem(HttpStatusCode.Unauthorized).ShouldBe("https://continuum.dev/problems/unauthenticated");
                client.LastHeaders["WWW-Authenticate"].ShouldBe("Bearer");
            }

            (await client.SendAsync(HttpMethod.Post, "api/sessions", new { @interface = "web" })).Status.ShouldBe(HttpStatusCode.Unauthorized);
            (await client.GetAsync("health")).Status.ShouldBe(HttpStatusCode.OK);
            (await client.GetAsync("openapi/v1.json")).Status.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task A_read_key_reads_and_searches_but_a_write_is_403_and_key_management_needs_admin()
    {
        await using var server = await ApiServer.StartAsync(RequireKeys);
        var writer = await KeyedClient.WithNewKeyAsync(server, "default", "read,write");
        var reader = await KeyedClient.WithNewKeyAsync(server, "default", "read");
        var session = await writer.OkAsync(HttpMethod.Post, "api/sessions", new { identity = new { @interface = "web", externalUserId = "reader-1" }, @interface = "web", mode = "new" }, HttpStatusCode.Created);
        var id = (string)session["id"]!;
        await writer.OkAsync(HttpMethod.Post, $"api/sessions/{id}/events", new { content = "the heron flies at dawn" }, HttpStatusCode.Created);

        (await reader.OkAsync(HttpMethod.Get, $"api/sessions/{id}/events"))["events"]!.AsArray().Count.ShouldBe(1);
        var found = await reader.OkAsync(HttpMethod.Post, "api/search", new { userId = (string)session["userId"]!, query = "heron" });
        found["results"]!.AsArray().ShouldNotBeEmpty();

        var refused = await reader.SendAsync(HttpMethod.Post, $"api/sessions/{id}/events", new { content = "sneaky" });
        refused.ShouldBeProblem(HttpStatusCode.Forbidden).ShouldBe("https://continuum.dev/problems/forbidden");
        ((string)refused.Json["detail"]!).ShouldContain("'write'");
        (await reader.SendAsync(HttpMethod.Delete, $"api/sessions/{id}")).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await writer.GetAsync("api/keys")).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await writer.SendAsync(HttpMethod.Post, "api/keys", new { scopes = new[] { "admin" } })).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await writer.OkAsync(HttpMethod.Get, $"api/sessions/{id}/events"))["events"]!.AsArray().Count.ShouldBe(1, "the refused write wrote nothing");
    }

    [Fact]
    public async Task An_admin_makes_a_key_whose_secret_is_shown_once_and_stored_only_as_a_hash()
    {
        await using var server = await ApiServer.StartAsync(RequireKeys);
        var admin = await KeyedClient.WithNewKeyAsync(server, "default", "read,write,admin");
        var created = await admin.OkAsync(HttpMethod.Post, "api/keys", new { scopes = new[] { "read" }, name = "dashboard" }, HttpStatusCode.Created);
        var secret = (string)created["secret"]!;
        var key = created["key"]!.AsObject();
        var keyId = (string)key["id"]!;
        secret.ShouldStartWith("ck_live_");
        secret.ShouldStartWith((string)key["prefix"]!);
        ((string)key["prefix"]!).Length.ShouldBe("ck_live_".Length + 8);
        ApiKeySecret.IsWellFormed(secret).ShouldBeTrue();
        key["scopes"]!.AsArray().Select(s => (string)s!).ShouldBe(["read"]);
        ((string)key["createdBy"]!).ShouldStartWith("key_", Case.Sensitive, "the admin key that made it");

        var listed = await admin.OkAsync(HttpMethod.Get, "api/keys");
        listed["keys"]!.AsArray().Select(k => (string)k!["id"]!).ShouldContain(keyId);
        listed.ToJsonString().ShouldNotContain(secret[^20..]);
        (await admin.OkAsync(HttpMethod.Get, $"api/keys/{keyId}")).ToJsonString().ShouldNotContain(secret[^20..]);

        // The new key works, and its last use is recorded.
        var reader = new KeyedClient(server, "Bearer " + secret);
        (await reader.GetAsync("api/sessions")).Status.ShouldBe(HttpStatusCode.OK);
        ((string?)(await admin.OkAsync(HttpMethod.Get, $"api/keys/{keyId}"))["lastUsedAt"]).ShouldNotBeNull();

        if (!Continuum.Testing.TestStore.IsPostgres)
        {
            // The secret is nowhere in the database file, only its hash.
            var bytes = await ReadAllSharedAsync(Path.Combine(server.DataDirectory, "continuum.db"));
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            text.ShouldNotContain(secret[^20..]);
        }

        (await admin.SendAsync(HttpMethod.Post, "api/keys", new { scopes = new[] { "root" } })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await admin.SendAsync(HttpMethod.Post, "api/keys", new { scopes = Array.Empty<string>() })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await admin.SendAsync(HttpMethod.Post, "api/keys", new { scopes = new[] { "read" }, expiresAt = "2001-01-01T00:00:00Z" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await admin.SendAsync(HttpMethod.Post, "api/keys", new { scopes = new[] { "read" }, userId = "usr_nobody" })).ShouldBeProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_revoked_key_and_an_expired_key_are_401_at_once()
    {
        var clock = new Continuum.Testing.ShiftedClock();
        await using var server = await ApiServer.StartWithClockAsync(clock, RequireKeys);
        var admin = await KeyedClient.WithNewKeyAsync(server, "default", "read,write,admin");
        var created = await admin.OkAsync(HttpMethod.Post, "api/keys", new { scopes = new[] { "read" } }, HttpStatusCode.Created);
        var doomed = new KeyedClient(server, "Bearer " + (string)created["secret"]!);
        (await doomed.GetAsync("api/sessions")).Status.ShouldBe(HttpStatusCode.OK);
        var revoked = await admin.OkAsync(HttpMethod.Delete, $"api/keys/{(string)created["key"]!["id"]!}");
        ((string?)revoked["revokedAt"]).ShouldNotBeNull();
        var refused = await doomed.GetAsync("api/sessions");
        refused.ShouldBeProblem(HttpStatusCode.Unauthorized);
        ((string)refused.Json["detail"]!).ShouldContain("revoked");
        (await admin.SendAsync(HttpMethod.Delete, $"api/keys/{(string)created["key"]!["id"]!}")).Status.ShouldBe(HttpStatusCode.OK, "revoking again is harmless");

        var expiring = await admin.OkAsync(HttpMethod.Post, "api/keys", new { scopes = new[] { "read" }, expiresAt = clock.GetUtcNow().AddHours(1) }, HttpStatusCode.Created);
        var shortLived = new KeyedClient(server, "Bearer " + (string)expiring["secret"]!);
        (await shortLived.GetAsync("api/sessions")).Status.ShouldBe(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromHours(2));
        var expired = await shortLived.GetAsync("api/sessions");
        expired.ShouldBeProblem(HttpStatusCode.Unauthorized);
        ((string)expired.Json["detail"]!).ShouldContain("expired");
        (await admin.GetAsync("api/sessions")).Status.ShouldBe(HttpStatusCode.OK, "a key without expiry still works");
    }

    [Fact]
    public async Task A_key_of_another_tenant_gets_404_for_this_tenants_ids_and_sees_none_of_its_data()
    {
        await using var server = await ApiServer.StartAsync(RequireKeys);
        var acme = await KeyedClient.WithNewKeyAsync(server, "acme", "read,write,admin");
        var globex = await KeyedClient.WithNewKeyAsync(server, "globex", "read,write,admin");
        var session = await acme.OkAsync(HttpMethod.Post, "api/sessions", new { identity = new { @interface = "web", externalUserId = "wile" }, @interface = "web", mode = "new" }, HttpStatusCode.Created);
        var id = (string)session["id"]!;
        var user = (string)session["userId"]!;
        await acme.OkAsync(HttpMethod.Post, $"api/sessions/{id}/events", new { content = "acme-secret-anvil-plans" }, HttpStatusCode.Created);
        var memory = (string)(await acme.OkAsync(HttpMethod.Post, "api/memories", new { userId = user, content = "acme-secret-roadrunner" }, HttpStatusCode.Created))["memory"]!["id"]!;
        var acmeKeyId = (string)(await acme.OkAsync(HttpMethod.Get, "api/keys"))["keys"]![0]!["id"]!;

        foreach (var path in new[] { $"api/sessions/{id}", $"api/sessions/{id}/events", $"api/sessions/{id}/context", $"api/users/{user}", $"api/memories/{memory}", $"api/keys/{acmeKeyId}" })
        {
            (await globex.GetAsync(path)).ShouldBeProblem(HttpStatusCode.NotFound);
        }

        (await globex.SendAsync(HttpMethod.Post, $"api/sessions/{id}/events", new { content = "globex was here" })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await globex.SendAsync(HttpMethod.Delete, $"api/keys/{acmeKeyId}")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await globex.SendAsync(HttpMethod.Delete, $"api/sessions/{id}")).ShouldBeProblem(HttpStatusCode.NotFound);
        var everything = string.Concat(
            (await globex.GetAsync("api/sessions")).Text,
            (await globex.GetAsync("api/keys")).Text,
            (await globex.GetAsync("api/stats")).Text,
            (await globex.SendAsync(HttpMethod.Post, "api/search", new { userId = user, query = "anvil roadrunner" })).Text,
            (await globex.GetAsync($"api/memories?userId={user}")).Text);
        everything.ShouldNotContain("acme-secret");
        everything.ShouldNotContain(id);
        everything.ShouldNotContain(acmeKeyId);

        // Acme's data is as it was, and its key still works.
        (await acme.OkAsync(HttpMethod.Get, $"api/sessions/{id}/events"))["events"]!.AsArray().Select(e => (string)e!["content"]!).ShouldBe(["acme-secret-anvil-plans"]);
        (await acme.GetAsync($"api/keys/{acmeKeyId}")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_user_bound_key_sees_and_writes_only_its_users_data()
    {
        await using var server = await ApiServer.StartAsync(RequireKeys);
        var bot = await KeyedClient.WithNewKeyAsync(server, "default", "read,write");
        var alice = await bot.OkAsync(HttpMethod.Post, "api/sessions", new { identity = new { @interface = "telegram", externalUserId = "alice" }, @interface = "telegram", mode = "new" }, HttpStatusCode.Created);
        var bob = await bot.OkAsync(HttpMethod.Post, "api/sessions", new { identity = new { @interface = "telegram", externalUserId = "bob" }, @interface = "telegram", mode = "new" }, HttpStatusCode.Created);
        var (aliceSession, aliceUser) = ((string)alice["id"]!, (string)alice["userId"]!);
        var (bobSession, bobUser) = ((string)bob["id"]!, (string)bob["userId"]!);
        await bot.OkAsync(HttpMethod.Post, $"api/sessions/{aliceSession}/events", new { content = "alice-private-pelican" }, HttpStatusCode.Created);
        await bot.OkAsync(HttpMethod.Post, $"api/sessions/{bobSession}/events", new { content = "bob-own-pelican" }, HttpStatusCode.Created);
        var aliceMemory = (string)(await bot.OkAsync(HttpMethod.Post, "api/memories", new { userId = aliceUser, content = "alice-private-memory" }, HttpStatusCode.Created))["memory"]!["id"]!;

        var bobKey = await KeyedClient.WithNewKeyAsync(server, "default", "read,write", userId: bobUser);
        (await bobKey.OkAsync(HttpMethod.Get, $"api/sessions/{bobSession}/events"))["events"]!.AsArray().Count.ShouldBe(1);
        await bobKey.OkAsync(HttpMethod.Post, $"api/sessions/{bobSession}/events", new { content = "bob writes" }, HttpStatusCode.Created);
        var opened = await bobKey.OkAsync(HttpMethod.Post, "api/sessions", new { @interface = "web", mode = "new" }, HttpStatusCode.Created);
        ((string)opened["userId"]!).ShouldBe(bobUser, "a bound key opens sessions for its user");

        foreach (var path in new[] { $"api/sessions/{aliceSession}", $"api/sessions/{aliceSession}/events", $"api/sessions/{aliceSession}/context", $"api/users/{aliceUser}", $"api/memories/{aliceMemory}", $"api/memories?userId={aliceUser}", $"api/users/{aliceUser}/entities" })
        {
            (await bobKey.GetAsync(path)).ShouldBeProblem(HttpStatusCode.NotFound);
        }

        (await bobKey.SendAsync(HttpMethod.Post, $"api/sessions/{aliceSession}/events", new { content = "bob impersonates" })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await bobKey.SendAsync(HttpMethod.Post, "api/sessions", new { userId = aliceUser, @interface = "web" })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await bobKey.SendAsync(HttpMethod.Post, "api/memories", new { userId = aliceUser, content = "planted" })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await bobKey.SendAsync(HttpMethod.Delete, $"api/memories/{aliceMemory}")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await bobKey.SendAsync(HttpMethod.Post, "api/users/resolve", new { @interface = "telegram", externalUserId = "alice" })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await bobKey.SendAsync(HttpMethod.Post, $"api/users/{bobUser}/merge", new { userId = aliceUser })).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await bobKey.GetAsync("api/handoffs?project=x")).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await bobKey.GetAsync("api/stats")).ShouldBeProblem(HttpStatusCode.Forbidden);

        var listed = (await bobKey.OkAsync(HttpMethod.Get, "api/sessions"))["sessions"]!.AsArray().Select(s => (string)s!["userId"]!).ToList();
        listed.ShouldNotBeEmpty();
        listed.ShouldAllBe(u => u == bobUser);
        var search = await bobKey.SendAsync(HttpMethod.Post, "api/search", new { userId = bobUser, query = "pelican" });
        search.Text.ShouldContain("bob-own-pelican");
        search.Text.ShouldNotContain("alice-private");
        (await bobKey.SendAsync(HttpMethod.Post, "api/search", new { sessionId = aliceSession, query = "pelican" })).Text.ShouldNotContain("alice-private");
        (await bobKey.SendAsync(HttpMethod.Post, "api/search", new { userId = aliceUser, query = "pelican" })).ShouldBeProblem(HttpStatusCode.NotFound);

        (await bot.OkAsync(HttpMethod.Get, $"api/sessions/{aliceSession}/events"))["events"]!.AsArray().Select(e => (string)e!["content"]!).ShouldBe(["alice-private-pelican"]);
        (await bot.GetAsync($"api/memories/{aliceMemory}")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_agent_namespace_key_reaches_only_its_namespaces_agents_messages_and_shared_memory()
    {
        await using var server = await ApiServer.StartAsync(RequireKeys);
        var admin = await KeyedClient.WithNewKeyAsync(server, "default", "read,write");
        var agents = new Dictionary<string, string>();
        foreach (var (name, ns) in new[] { ("red-1", "red"), ("red-2", "red"), ("blue-1", "blue") })
        {
            var session = (string)(await admin.OkAsync(HttpMethod.Post, "api/sessions", new { @interface = "agent", agentId = name, mode = "new" }, HttpStatusCode.Created))["id"]!;
            await admin.OkAsync(HttpMethod.Put, $"api/agents/{session}", new { agentName = name, agentType = "worker", capabilities = new[] { "code" }, @namespace = ns }, HttpStatusCode.Created);
            agents[name] = session;
        }

        await admin.OkAsync(HttpMethod.Put, "api/shared/blue/plan", new { sessionId = agents["blue-1"], value = "blue-secret-plan", type = "note" }, HttpStatusCode.Created);
        var blueMessage = (long)(await admin.OkAsync(HttpMethod.Post, "api/messages", new { from = agents["blue-1"], to = agents["blue-1"], type = "request", subject = "blue-secret-subject", @namespace = "blue" }, HttpStatusCode.Created))["id"]!;

        var red = await KeyedClient.WithNewKeyAsync(server, "default", "read,write", ns: "red");
        await red.OkAsync(HttpMethod.Put, "api/shared/red/plan", new { sessionId = agents["red-1"], value = "red plan", type = "note" }, HttpStatusCode.Created);
        await red.OkAsync(HttpMethod.Post, "api/messages", new { from = agents["red-1"], to = agents["red-2"], type = "request", subject = "hello" }, HttpStatusCode.Created);
        var listed = (await red.OkAsync(HttpMethod.Get, "api/agents?all=true"))["agents"]!.AsArray().Select(a => (string)a!["namespace"]!).ToList();
        listed.ShouldBe(["red", "red"]);

        (await red.GetAsync("api/shared/blue/plan")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await red.GetAsync("api/shared/blue")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await red.SendAsync(HttpMethod.Put, "api/shared/blue/plan", new { sessionId = agents["red-1"], value = "overwritten", type = "note" })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await red.GetAsync($"api/agents/{agents["blue-1"]}")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await red.GetAsync($"api/agents/{agents["blue-1"]}/inbox")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await red.GetAsync($"api/messages/{blueMessage}")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await red.SendAsync(HttpMethod.Post, "api/messages", new { from = agents["red-1"], to = agents["blue-1"], type = "request", subject = "x" })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await red.SendAsync(HttpMethod.Put, $"api/agents/{agents["blue-1"]}", new { agentName = "stolen", agentType = "worker", capabilities = Array.Empty<string>() })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await red.GetAsync($"api/sessions/{agents["red-1"]}")).ShouldBeProblem(HttpStatusCode.Forbidden);

        (await admin.OkAsync(HttpMethod.Get, "api/shared/blue/plan"))["value"]!.ToString().ShouldBe("blue-secret-plan");
        ((string)(await admin.OkAsync(HttpMethod.Get, $"api/agents/{agents["blue-1"]}"))["namespace"]!).ShouldBe("blue");
    }

    [Fact]
    public async Task A_key_over_its_rate_limit_gets_429_with_retry_after_and_a_problem_document()
    {
        await using var server = await ApiServer.StartAsync(
            "--Continuum:Security:RequireKeys", "true",
            "--Continuum:Security:RateLimits:read:TokenLimit", "3",
            "--Continuum:Security:RateLimits:read:TokensPerPeriod", "1",
            "--Continuum:Security:RateLimits:read:Period", "01:00:00");
        var first = await KeyedClient.WithNewKeyAsync(server, "default", "read,write");
        var second = await KeyedClient.WithNewKeyAsync(server, "default", "read,write");
        for (var i = 0; i < 3; i++)
        {
            (await first.GetAsync("api/sessions")).Status.ShouldBe(HttpStatusCode.OK);
        }

        var limited = await first.GetAsync("api/sessions");
        limited.ShouldBeProblem(HttpStatusCode.TooManyRequests).ShouldBe("https://continuum.dev/problems/rate-limited");
        int.Parse(first.LastHeaders["Retry-After"], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
        (await first.SendAsync(HttpMethod.Post, "api/sessions", new { @interface = "web", mode = "new" })).Status.ShouldBe(HttpStatusCode.Created, "writes have a bucket of their own (none configured)");
        (await second.GetAsync("api/sessions")).Status.ShouldBe(HttpStatusCode.OK, "every key has its own bucket");
        (await new KeyedClient(server, null).GetAsync("health")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Cors_answers_a_configured_origin_and_nobody_else()
    {
        await using var server = await ApiServer.StartAsync("--Continuum:Security:Cors:Origins:0", "https://app.example.com");
        var client = new KeyedClient(server, null);
        var preflight = await client.SendAsync(HttpMethod.Options, "api/sessions", null,
            [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "authorization,content-type")]);
        preflight.Status.ShouldBe(HttpStatusCode.NoContent);
        client.LastHeaders["Access-Control-Allow-Origin"].ShouldBe("https://app.example.com");
        client.LastHeaders["Access-Control-Allow-Headers"].ShouldContain("authorization", Case.Insensitive);

        (await client.SendAsync(HttpMethod.Get, "api/sessions", null, [("Origin", "https://evil.example.net")])).Status.ShouldBe(HttpStatusCode.OK);
        client.LastHeaders.ContainsKey("Access-Control-Allow-Origin").ShouldBeFalse();
        (await client.SendAsync(HttpMethod.Get, "api/sessions", null, [("Origin", "https://app.example.com")])).Status.ShouldBe(HttpStatusCode.OK);
        client.LastHeaders["Access-Control-Allow-Origin"].ShouldBe("https://app.example.com");
    }

    [Fact]
    public async Task Keyless_loopback_is_the_default_and_the_api_key_routes_act_as_a_local_admin()
    {
        await using var server = await ApiServer.StartAsync();
        var created = await server.PostOkAsync("api/keys", new { scopes = new[] { "read" } });
        ((string)created["key"]!["createdBy"]!).ShouldBe("local");
        (await server.GetAsync("api/sessions")).Status.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<byte[]> ReadAllSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        var wal = path + "-wal";
        if (File.Exists(wal))
        {
            await using var log = new FileStream(wal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            await log.CopyToAsync(memory);
        }

        return memory.ToArray();
    }
}
