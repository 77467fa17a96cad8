using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Continuum.Server.Tests.Api;

/// <summary>Every kind of bad input gets its status and a problem document with a stable type.</summary>
public sealed class BadInputTests
{
    private const string Problems = "https://continuum.dev/problems/";

    [Fact]
    public async Task Malformed_json_is_400_malformed_request()
    {
        await using var server = await ApiServer.StartAsync();

        var reply = await server.SendRawAsync(HttpMethod.Post, "api/sessions", """{ "interface": "web", """);

        reply.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "malformed-request");
    }

    [Fact]
    public async Task A_field_of_the_wrong_json_type_is_400_malformed_request()
    {
        await using var server = await ApiServer.StartAsync();

        var reply = await server.SendRawAsync(HttpMethod.Post, "api/sessions", """{ "interface": "web", "tokenLimit": "lots" }""");

        reply.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "malformed-request");
    }

    [Fact]
    public async Task A_null_body_is_400_validation_naming_the_body()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "null-1"))["id"]!;

        var open = await server.SendRawAsync(HttpMethod.Post, "api/sessions", "null");
        var append = await server.SendRawAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events", "null");

        open.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        open.Json["errors"]!["body"].ShouldNotBeNull();
        append.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_nul_character_in_content_is_400_validation_and_stores_nothing()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "nul-1"))["id"]!;

        var single = await server.SendRawAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events", """{ "content": "before\u0000after" }""");
        var batch = await server.SendRawAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events:batch",
            """{ "events": [ { "content": "fine" }, { "content": "\u0000" } ] }""");

        single.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        single.Json["errors"]!["content"].ShouldNotBeNull();
        batch.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        batch.Json["errors"]!["events[1].content"].ShouldNotBeNull();
        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unknown_enum_value_is_400_validation_naming_the_field()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "enum-1"))["id"]!;

        var mode = await server.PostAsync("api/sessions", new { @interface = "web", mode = "sideways" });
        var type = await server.PostAsync($"api/sessions/{sessionId}/events", new { type = "chat", content = "hi" });
        var role = await server.PostAsync($"api/sessions/{sessionId}/events", new { role = "robot", content = "hi" });
        var status = await server.SendAsync(HttpMethod.Patch, $"api/sessions/{sessionId}", new { status = "paused" });
        var iface = await server.PostAsync("api/sessions", new { @interface = "Web Chat" });

        foreach (var (reply, field) in new[] { (mode, "mode"), (type, "type"), (role, "role"), (status, "status"), (iface, "interface") })
        {
            reply.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
            reply.Json["errors"]!.AsObject().Select(e => e.Key).ShouldBe([field]);
        }

        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unknown_session_is_404_not_found_on_every_route()
    {
        await using var server = await ApiServer.StartAsync();
        const string missing = "api/sessions/ses_0000000000NOSUCHSESSION0000";

        var replies = new[]
        {
            await server.GetAsync(missing),
            await server.GetAsync(missing + "/events"),
            await server.PostAsync(missing + "/events", new { content = "hello?" }),
            await server.PostAsync(missing + "/events:batch", new { events = new[] { new { content = "hello?" } } }),
            await server.SendAsync(HttpMethod.Patch, missing, new { title = "x" }),
            await server.SendAsync(HttpMethod.Delete, missing),
            await server.PostAsync(missing + "/continue", new { @interface = "cli" }),
            await server.PostAsync(missing + "/fork", new { }),
            await server.GetAsync(missing + "/links"),
        };

        foreach (var reply in replies)
        {
            reply.ShouldBeProblem(HttpStatusCode.NotFound).ShouldBe(Problems + "not-found");
        }
    }

    [Fact]
    public async Task An_unknown_user_is_404_not_found()
    {
        await using var server = await ApiServer.StartAsync();

        (await server.GetAsync("api/users/usr_nobody")).ShouldBeProblem(HttpStatusCode.NotFound).ShouldBe(Problems + "not-found");
        (await server.PostAsync("api/sessions", new { userId = "usr_nobody", @interface = "web" })).ShouldBeProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Append_to_closed_session_returns_409()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "closed-1"))["id"]!;
        await server.AppendAsync(sessionId, "last words");
        (await server.SendAsync(HttpMethod.Patch, $"api/sessions/{sessionId}", new { status = "closed" })).Status.ShouldBe(HttpStatusCode.OK);

        var single = await server.PostAsync($"api/sessions/{sessionId}/events", new { content = "too late" });
        var batch = await server.PostAsync($"api/sessions/{sessionId}/events:batch", new { events = new[] { new { content = "also too late" } } });

        single.ShouldBeProblem(HttpStatusCode.Conflict).ShouldBe(Problems + "session-closed");
        batch.ShouldBeProblem(HttpStatusCode.Conflict).ShouldBe(Problems + "session-closed");
        (await server.AllEventsAsync(sessionId)).Select(e => (string)e["content"]!).ShouldBe(["last words"]);
    }

    [Fact]
    public async Task Content_over_256_KiB_is_413_and_content_at_the_limit_is_stored()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "big-1"))["id"]!;

        var over = await server.PostAsync($"api/sessions/{sessionId}/events", new { content = new string('x', 256 * 1024 + 1) });
        var atLimit = await server.PostAsync($"api/sessions/{sessionId}/events", new { content = new string('y', 256 * 1024) });

        over.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge).ShouldBe(Problems + "payload-too-large");
        atLimit.Status.ShouldBe(HttpStatusCode.Created, atLimit.Text);
        var events = await server.AllEventsAsync(sessionId);
        events.Count.ShouldBe(1);
        ((string)events[0]["content"]!).Length.ShouldBe(256 * 1024);
    }

    [Fact]
    public async Task Metadata_over_64_KiB_is_413()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "meta-1"))["id"]!;
        var blob = new { attachment = new string('m', 64 * 1024) };

        var onEvent = await server.PostAsync($"api/sessions/{sessionId}/events", new { content = "see attachment", metadata = blob });
        var onSession = await server.PostAsync("api/sessions", new { @interface = "web", metadata = blob });
        var onState = await server.SendAsync(HttpMethod.Patch, $"api/sessions/{sessionId}", new { state = blob });

        onEvent.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge).ShouldBe(Problems + "payload-too-large");
        onSession.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge).ShouldBe(Problems + "payload-too-large");
        onState.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge).ShouldBe(Problems + "payload-too-large");
        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_body_over_the_request_limit_is_413()
    {
        await using var server = await ApiServer.StartAsync("--Continuum:Limits:MaxRequestBytes", "300000");
        var sessionId = (string)(await server.OpenSessionAsync("web", "huge-1"))["id"]!;
        var events = Enumerable.Range(0, 4).Select(i => new { content = new string('z', 100_000) }).ToArray();

        var reply = await server.PostAsync($"api/sessions/{sessionId}/events:batch", new { events });

        reply.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge).ShouldBe(Problems + "payload-too-large");
        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
        (await server.PostAsync($"api/sessions/{sessionId}/events:batch", new { events = events[..2] })).Status.ShouldBe(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("api/sessions?limit=abc")]
    [InlineData("api/sessions?limit=12.5")]
    [InlineData("api/sessions?limit=0")]
    [InlineData("api/sessions?limit=501")]
    [InlineData("api/sessions?status=sleeping")]
    public async Task A_bad_query_value_is_400(string path)
    {
        await using var server = await ApiServer.StartAsync();

        (await server.GetAsync(path)).ShouldBeProblem(HttpStatusCode.BadRequest).ShouldStartWith(Problems);
    }

    [Fact]
    public async Task A_bad_events_query_is_400()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "query-1"))["id"]!;

        (await server.GetAsync($"api/sessions/{sessionId}/events?after=first")).ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "malformed-request");
        (await server.GetAsync($"api/sessions/{sessionId}/events?after=-1")).ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        (await server.GetAsync($"api/sessions/{sessionId}/events?limit=10001")).ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
    }

    [Fact]
    public async Task An_unknown_route_is_404_with_a_problem_document()
    {
        await using var server = await ApiServer.StartAsync();

        (await server.GetAsync("api/no-such-thing")).ShouldBeProblem(HttpStatusCode.NotFound).ShouldStartWith(Problems);
        (await server.PostAsync("api/sessions/ses_x/no-such-action", new { })).ShouldBeProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Errors_never_show_exception_text()
    {
        await using var server = await ApiServer.StartAsync();

        var reply = await server.SendRawAsync(HttpMethod.Post, "api/sessions", """{ "interface": """);

        reply.Text.ShouldNotContain("   at ");
        reply.Text.ShouldNotContain("Exception");
    }

    [Fact]
    public async Task A_lone_surrogate_in_any_json_value_is_400_and_every_read_still_works()
    {
        await using var server = await ApiServer.StartAsync();
        var user = (string)(await server.PostOkAsync("api/users/resolve", new { @interface = "web", externalUserId = "surrogate-1" }, HttpStatusCode.Created))["id"]!;
        var sessionId = (string)(await server.PostOkAsync("api/sessions", new { userId = user, @interface = "web", mode = "new" }))["id"]!;
        var recipient = (string)(await server.PostOkAsync("api/sessions", new { userId = user, @interface = "agent", agentId = "bob", mode = "new" }))["id"]!;
        foreach (var agent in new[] { sessionId, recipient })
        {
            (await server.SendAsync(HttpMethod.Put, $"api/agents/{agent}", new { agentName = "a" + agent[^4..], agentType = "worker", capabilities = new[] { "x" } })).Status.ShouldBe(HttpStatusCode.Created);
        }

        var writes = new (HttpMethod Method, string Path, string Body)[]
        {
            (HttpMethod.Post, "api/sessions", $$"""{ "userId": "{{user}}", "interface": "web", "mode": "new", "metadata": { "a": "\ud800" } }"""),
            (HttpMethod.Post, "api/sessions", $$"""{ "userId": "{{user}}", "interface": "web", "mode": "new", "metadata": { "\udc00": 1 } }"""),
            (HttpMethod.Patch, $"api/sessions/{sessionId}", """{ "state": { "deep": ["ok", "\ud800x"] } }"""),
            (HttpMethod.Patch, $"api/sessions/{sessionId}", """{ "title": "bad \ud83d title" }"""),
            (HttpMethod.Post, $"api/sessions/{sessionId}/events", """{ "content": "fine", "metadata": { "a": "\ud800" } }"""),
            (HttpMethod.Post, $"api/sessions/{sessionId}/events", """{ "content": "half a pair \ud83d" }"""),
            (HttpMethod.Put, "api/shared/ns/key", $$"""{ "sessionId": "{{sessionId}}", "value": "\ud800", "type": "note" }"""),
            (HttpMethod.Post, "api/messages", $$"""{ "from": "{{sessionId}}", "to": "{{recipient}}", "type": "request", "subject": "s", "data": { "x": "\udfff" } }"""),
            (HttpMethod.Post, "api/handoffs?project=p", """{ "goal": "\ud800" }"""),
            (HttpMethod.Post, "api/memories", $$"""{ "userId": "{{user}}", "content": "likes \ud800 tea" }"""),
        };

        foreach (var (method, path, body) in writes)
        {
            var reply = await server.SendRawAsync(method, path, body);
            reply.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation", $"{method} {path} {body}");
        }

        (await server.GetOkAsync("api/sessions?limit=500"))["sessions"]!.AsArray().Count.ShouldBe(2);
        (await server.GetOkAsync($"api/sessions/{sessionId}"))["title"].ShouldBeNull();
        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
        (await server.GetOkAsync($"api/agents/{recipient}/inbox"))["messages"]!.AsArray().ShouldBeEmpty();
        (await server.GetAsync("api/shared/ns/key")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await server.GetOkAsync("api/handoffs?project=p"))["handoffs"]!.AsArray().ShouldBeEmpty();
        (await server.GetOkAsync($"api/memories?userId={user}"))["memories"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_member_named_twice_is_400_naming_it_and_stores_nothing()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "dup-1"))["id"]!;

        var inMetadata = await server.SendRawAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events", """{ "content": "x", "metadata": { "a": 1, "a": 2 } }""");
        var atTop = await server.SendRawAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events", """{ "content": "x", "content": "y" }""");
        var inBatch = await server.SendRawAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events:batch", """{ "events": [ { "content": "x" }, { "content": "y", "metadata": { "k": { "b": 1, "b": 1 } } } ] }""");
        var inHandoff = await server.SendRawAsync(HttpMethod.Post, "api/handoffs?project=p", """{ "goal": "g", "goal": "h" }""");

        inMetadata.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        inMetadata.Json["errors"]!["metadata.a"].ShouldNotBeNull();
        atTop.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        atTop.Json["errors"]!["content"].ShouldNotBeNull();
        inBatch.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        inBatch.Json["errors"]!["events[1].metadata.k.b"].ShouldNotBeNull();
        inHandoff.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
        (await server.GetOkAsync("api/handoffs?project=p"))["handoffs"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task Invalid_utf8_bytes_are_400_malformed_request_and_store_nothing()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "utf8-1"))["id"]!;
        static byte[] Body(string before, string after) => [.. Encoding.UTF8.GetBytes(before), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes(after)];

        foreach (var (path, body) in new[]
        {
            ($"api/sessions/{sessionId}/events", Body("""{ "content": "a""", "\" }")),
            ($"api/sessions/{sessionId}/events", Body("""{ "content": "a", "metadata": { "k": "x""", "\" } }")),
            ("api/handoffs?project=p", Body("""{ "goal": "a""", "\" }")),
        })
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await server.Http.PostAsync(path, content);
            var reply = new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
            reply.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "malformed-request");
        }

        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
        (await server.GetOkAsync("api/handoffs?project=p"))["handoffs"]!.AsArray().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("application/json; charset=bogus")]
    [InlineData("application/json; charset=")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=\"\"")]
    public async Task An_unsupported_charset_is_415_on_every_operation_that_takes_a_body(string contentType)
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "charset-1"))["id"]!;

        foreach (var (method, path) in BodyOperations(sessionId))
        {
            var reply = await ErrorFormatTests.SendAsync(server, method, path, """{ "content": "x" }""", contentType, null);
            reply.ShouldBeProblem(HttpStatusCode.UnsupportedMediaType).ShouldBe(Problems + "unsupported-media-type", $"{method} {path}");
        }

        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
        (await ErrorFormatTests.SendAsync(server, HttpMethod.Post, $"api/sessions/{sessionId}/events", """{ "content": "x" }""", "application/json; charset=UTF-8", null)).Status.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_missing_body_is_the_same_400_on_every_operation_that_requires_one()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "nobody-1"))["id"]!;

        foreach (var (method, path) in BodyOperations(sessionId))
        {
            foreach (var body in new[] { "", "null" })
            {
                var reply = body.Length == 0 ? await server.SendAsync(method, path) : await server.SendRawAsync(method, path, body);
                reply.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation", customMessage: $"{method} {path} [{body}]: {reply.Text}");
                reply.Json["errors"]!["body"].ShouldNotBeNull($"{method} {path} '{body}': {reply.Text}");
            }
        }
    }

    [Fact]
    public async Task Handoff_items_of_the_wrong_type_are_400_naming_the_item()
    {
        await using var server = await ApiServer.StartAsync();

        foreach (var (body, field) in new[]
        {
            ("""{ "decisions": [5] }""", "decisions[0]"),
            ("""{ "decisions": ["ok", [1]] }""", "decisions[1]"),
            ("""{ "next_steps": [true] }""", "nextSteps[0]"),
            ("""{ "blockers": [1.5] }""", "blockers[0]"),
            ("""{ "achievements": [[]] }""", "achievements[0]"),
            ("""{ "decisions": 5 }""", "decisions"),
            ("""{ "architecture": [] }""", "architecture"),
        })
        {
            var reply = await server.SendRawAsync(HttpMethod.Post, "api/handoffs?project=p", body);
            reply.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation", body);
            reply.Json["errors"]![field].ShouldNotBeNull(reply.Text);
        }

        (await server.GetOkAsync("api/handoffs?project=p"))["handoffs"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task Handoff_fields_over_their_limits_are_refused_and_the_limits_are_configurable()
    {
        await using var server = await ApiServer.StartAsync("--Continuum:Limits:MaxHandoffTextBytes", "100", "--Continuum:Limits:MaxHandoffListItems", "3");

        var goal = await server.PostAsync("api/handoffs?project=p", new { goal = new string('g', 101) });
        var decision = await server.PostAsync("api/handoffs?project=p", new { decisions = new object[] { "fine", new { decision = "d", reasoning = new string('r', 101) } } });
        var many = await server.PostAsync("api/handoffs?project=p", new { nextSteps = new[] { "a", "b", "c", "d" } });
        var atLimit = await server.PostAsync("api/handoffs?project=p", new { goal = new string('g', 100), nextSteps = new[] { "a", "b", "c" } });

        goal.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge).ShouldBe(Problems + "payload-too-large");
        decision.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge).ShouldBe(Problems + "payload-too-large");
        many.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        many.Json["errors"]!["nextSteps"].ShouldNotBeNull();
        atLimit.Status.ShouldBe(HttpStatusCode.Created, atLimit.Text);
        (await server.GetOkAsync("api/handoffs?project=p"))["handoffs"]!.AsArray().Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_handoff_goal_of_a_mebibyte_is_413_by_default()
    {
        await using var server = await ApiServer.StartAsync();

        var reply = await server.PostAsync("api/handoffs?project=p", new { goal = new string('g', 1024 * 1024) });

        reply.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge).ShouldBe(Problems + "payload-too-large");
        (await server.GetOkAsync("api/handoffs?project=p"))["handoffs"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_null_memory_source_and_a_nul_in_a_search_filter_are_400()
    {
        await using var server = await ApiServer.StartAsync();
        var user = (string)(await server.PostOkAsync("api/users/resolve", new { @interface = "web", externalUserId = "src-1" }, HttpStatusCode.Created))["id"]!;

        var sources = await server.SendRawAsync(HttpMethod.Post, "api/memories", $$"""{ "userId": "{{user}}", "content": "likes tea", "sources": [null] }""");
        var filterKey = await server.SendRawAsync(HttpMethod.Post, "api/search", $$"""{ "userId": "{{user}}", "query": "tea", "metadata": { "a\u0000b": "x" } }""");
        var filterValue = await server.SendRawAsync(HttpMethod.Post, "api/search", $$"""{ "userId": "{{user}}", "query": "tea", "metadata": { "a": "x\u0000" } }""");

        sources.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        sources.Json["errors"]!["sources[0]"].ShouldNotBeNull();
        filterKey.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        filterValue.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        (await server.GetOkAsync($"api/memories?userId={user}"))["memories"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_nul_in_a_json_value_is_400_because_it_cannot_be_stored()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "nul-json-1"))["id"]!;

        var value = await server.SendRawAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events", """{ "content": "x", "metadata": { "a": "\u0000" } }""");
        var name = await server.SendRawAsync(HttpMethod.Patch, $"api/sessions/{sessionId}", """{ "state": { "a\u0000": 1 } }""");

        value.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        value.Json["errors"]!["metadata.a"].ShouldNotBeNull();
        name.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
        (await server.GetOkAsync($"api/sessions/{sessionId}"))["state"]!.AsObject().ShouldBeEmpty();
    }

    [Fact]
    public async Task Client_errors_are_never_logged_as_errors_or_warnings()
    {
        var logs = new LogCapture(LogLevel.Warning);
        await using var server = await ApiServer.StartAsync(logs);
        var sessionId = (string)(await server.OpenSessionAsync("web", "quiet-1"))["id"]!;

        (await server.SendRawAsync(HttpMethod.Post, "api/sessions", "{")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await server.PostAsync("api/sessions", new { @interface = "Bad Name" })).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/sessions/ses_nope")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await server.PostAsync($"api/sessions/{sessionId}/events", new { content = new string('x', 300 * 1024) })).Status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await ErrorFormatTests.SendAsync(server, HttpMethod.Post, "api/sessions", "{}", "application/json; charset=bogus", "text/html")).Status.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        (await ErrorFormatTests.SendAsync(server, HttpMethod.Get, "api/handoffs/hof_missing", null, "", "text/markdown")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await server.SendRawAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events", """{ "content": "x", "metadata": 5 }""")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await server.SendRawAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events", """{ "content": 5 }""")).Status.ShouldBe(HttpStatusCode.BadRequest);

        logs.Entries.ShouldBeEmpty();
    }

    private static (HttpMethod Method, string Path)[] BodyOperations(string sessionId) =>
    [
        (HttpMethod.Post, "api/sessions"), (HttpMethod.Patch, $"api/sessions/{sessionId}"), (HttpMethod.Post, $"api/sessions/{sessionId}/events"),
        (HttpMethod.Post, $"api/sessions/{sessionId}/events:batch"), (HttpMethod.Post, "api/users/resolve"), (HttpMethod.Post, "api/handoffs"),
        (HttpMethod.Post, "api/messages"), (HttpMethod.Put, "api/shared/ns/k"), (HttpMethod.Put, $"api/agents/{sessionId}"),
        (HttpMethod.Post, "api/memories"), (HttpMethod.Post, "api/search"),
    ];
}
