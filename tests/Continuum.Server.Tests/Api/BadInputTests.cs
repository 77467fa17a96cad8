using System.Net;

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
        (await server.GetAsync($"api/sessions/{sessionId}/events?limit=1001")).ShouldBeProblem(HttpStatusCode.BadRequest).ShouldBe(Problems + "validation");
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
}
