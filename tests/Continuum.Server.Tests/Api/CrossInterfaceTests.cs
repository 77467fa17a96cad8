using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Continuum.Server.Tests.Api;

public sealed class CrossInterfaceTests
{
    [Fact]
    public async Task A_conversation_started_on_telegram_is_resumed_on_the_web_and_continued_on_the_cli()
    {
        await using var server = await ApiServer.StartAsync();
        var nine = NineOClockToday();

        // 9:00, Telegram: a new user and a new session.
        var telegram = await server.PostOkAsync("api/sessions", new
        {
            identity = new { @interface = "telegram", externalUserId = "tg-5550001", displayName = "Ann" },
            @interface = "telegram",
            interfaceId = "chat-5550001",
            title = "Slow training job",
        });
        var sessionId = (string)telegram["id"]!;
        var userId = (string)telegram["userId"]!;
        userId.ShouldStartWith("usr_");
        ((string)telegram["interface"]!).ShouldBe("telegram");
        telegram["parentId"].ShouldBeNull();
        var question = await server.PostOkAsync($"api/sessions/{sessionId}/events", new
        {
            role = "user",
            content = "My training job is slow. The GPU temp 82C on gpu-3 worries me.",
            createdAt = nine,
        });
        await server.PostOkAsync($"api/sessions/{sessionId}/events", new
        {
            role = "assistant",
            content = "82C under sustained load points to thermal throttling; check the fan on gpu-3.",
            createdAt = nine.AddMinutes(1),
        });
        DateTimeOffset.Parse((string)question["createdAt"]!, CultureInfo.InvariantCulture).ShouldBe(nine);
        ((string)question["interface"]!).ShouldBe("telegram");

        // 9:30, the web: the user carries a link code over, typed in lower case.
        var code = await server.PostOkAsync($"api/users/{userId}/link-codes", new { });
        var typed = ((string)code["code"]!).ToLowerInvariant();
        var linked = await server.PostOkAsync("api/users/link", new { code = typed, identity = new { @interface = "web", externalUserId = "cookie-abc" } }, HttpStatusCode.OK);
        ((string)linked["id"]!).ShouldBe(userId);
        linked["identities"]!.AsArray().Select(i => (string)i!["interface"]!).Order().ShouldBe(["telegram", "web"]);

        var web = await server.PostOkAsync("api/sessions", new
        {
            identity = new { @interface = "web", externalUserId = "cookie-abc" },
            @interface = "web",
            interfaceId = "cookie-abc",
        }, HttpStatusCode.OK);
        ((string)web["id"]!).ShouldBe(sessionId, "the web resumes the telegram session");
        ((string)web["userId"]!).ShouldBe(userId);
        ((string)web["interface"]!).ShouldBe("web");
        ((string)web["interfaceId"]!).ShouldBe("cookie-abc");
        ((long)web["counters"]!["messages"]!).ShouldBe(2);
        await server.AppendAsync(sessionId, "Cleaned the dust out of the fan; gpu-3 now idles at 61C.");

        var afterWeb = await server.GetOkAsync($"api/sessions/{sessionId}");
        ((string)afterWeb["interface"]!).ShouldBe("web");
        var events = await server.AllEventsAsync(sessionId);
        events.Select(e => (string)e["interface"]!).ShouldBe(["telegram", "telegram", "web"]);

        // 10:00, the CLI continues the conversation in a session of its own.
        var cli = await server.PostOkAsync($"api/sessions/{sessionId}/continue", new { @interface = "cli", interfaceId = "laptop-1" });
        var cliId = (string)cli["id"]!;
        cliId.ShouldNotBe(sessionId);
        ((string)cli["parentId"]!).ShouldBe(sessionId);
        ((string)cli["userId"]!).ShouldBe(userId);
        ((string)cli["interface"]!).ShouldBe("cli");
        ((string)cli["interfaceId"]!).ShouldBe("laptop-1");
        ((string)cli["status"]!).ShouldBe("active");
        ((string)cli["title"]!).ShouldBe("Slow training job");
        var carried = cli["carriedOver"]!;
        ((string)carried["fromSessionId"]!).ShouldBe(sessionId);
        ((string)carried["fromInterface"]!).ShouldBe("web");
        var lastMessages = carried["lastMessages"]!.AsArray().Select(m => m!.AsObject()).ToList();
        lastMessages.Select(m => (string)m["interface"]!).ShouldBe(["telegram", "telegram", "web"]);
        lastMessages.Select(m => (string)m["role"]!).ShouldBe(["user", "assistant", "user"]);
        string.Join("\n", lastMessages.Select(m => (string)m["content"]!)).ShouldSatisfyAllConditions(
            text => text.ShouldContain("GPU temp 82C"),
            text => text.ShouldContain("thermal throttling"),
            text => text.ShouldContain("61C"));

        var links = (await server.GetOkAsync($"api/sessions/{cliId}/links"))["links"]!.AsArray();
        links.Count.ShouldBe(1);
        ((string)links[0]!["fromSessionId"]!).ShouldBe(sessionId);
        ((string)links[0]!["type"]!).ShouldBe("continuation");
        var cliSessions = await server.GetOkAsync($"api/sessions?userId={userId}&interface=cli");
        cliSessions["sessions"]!.AsArray().Select(s => (string)s!["id"]!).ShouldBe([cliId]);

        // The code was spent.
        var replay = await server.PostAsync("api/users/link", new { code = typed, identity = new { @interface = "discord", externalUserId = "d-1" } });
        replay.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldEndWith("/link-code-invalid");
    }

    private static DateTimeOffset NineOClockToday()
    {
        var now = DateTimeOffset.UtcNow;
        var nine = new DateTimeOffset(now.Year, now.Month, now.Day, 9, 0, 0, TimeSpan.Zero);
        return nine.AddMinutes(1) <= now ? nine : nine.AddDays(-1);
    }
}
