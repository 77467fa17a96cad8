using System.Text.Json.Nodes;

namespace Continuum.Server.Tests.Context;

public sealed class ContextApiTests
{
    [Fact]
    public async Task The_cli_session_context_holds_what_telegram_found_without_a_model()
    {
        await using var server = await ContextServer.StartAsync();

        // 9:00 Telegram
        var telegram = await server.PostAsync("api/sessions", new { identity = new { @interface = "telegram", externalUserId = "tg-1" }, @interface = "telegram" });
        var sessionId = (string)telegram["id"]!;
        var userId = (string)telegram["userId"]!;
        await server.AppendAsync(sessionId, "user", "My training job is slow. The GPU temp on gpu-3 is 82C.");
        await server.AppendAsync(sessionId, "assistant", "82C under load means thermal throttling; check the fan on gpu-3.");

        // 9:30 web: linked, resumes the same session.
        var code = await server.PostAsync($"api/users/{userId}/link-codes", new { });
        await server.PostAsync("api/users/link", new { code = (string)code["code"]!, identity = new { @interface = "web", externalUserId = "cookie-1" } }, 200);
        var web = await server.PostAsync("api/sessions", new { identity = new { @interface = "web", externalUserId = "cookie-1" }, @interface = "web" }, 200);
        ((string)web["id"]!).ShouldBe(sessionId);
        await server.AppendAsync(sessionId, "user", "The fan was clogged with dust; cleaning it now.");

        // 10:00 CLI continues and asks.
        var cli = await server.PostAsync($"api/sessions/{sessionId}/continue", new { @interface = "cli" });
        var context = await server.GetAsync($"api/sessions/{(string)cli["id"]!}/context?query=what%20did%20we%20find%3F");

        var prompt = (string)context["prompt"]!;
        prompt.ShouldContain("82C");
        prompt.ShouldContain("thermal throttling");
        prompt.ShouldContain("Continued from web");
        ((int)context["tokens"]!["carriedOver"]!).ShouldBeGreaterThan(0);
        ((int)context["tokens"]!["total"]!).ShouldBeLessThanOrEqualTo((int)context["budget"]!);
        context["messages"]!.AsArray()[0]!["role"]!.GetValue<string>().ShouldBe("system");
    }

    [Fact]
    public async Task A_continuation_of_a_continuation_carries_what_the_first_session_said()
    {
        await using var server = await ContextServer.StartAsync();
        var telegram = await server.PostAsync("api/sessions", new { identity = new { @interface = "telegram", externalUserId = "tg-chain" }, @interface = "telegram" });
        var telegramId = (string)telegram["id"]!;
        await server.AppendAsync(telegramId, "user", "The GPU temp on gpu-3 is 82C under load.");
        await server.AppendAsync(telegramId, "assistant", "82C means thermal throttling; check the fan on gpu-3.");

        var web = await server.PostAsync($"api/sessions/{telegramId}/continue", new { @interface = "web" });
        var webId = (string)web["id"]!;
        await server.AppendAsync(webId, "user", "Opened the case; the fan is full of dust.");

        var cli = await server.PostAsync($"api/sessions/{webId}/continue", new { @interface = "cli" });
        var cliId = (string)cli["id"]!;
        var context = await server.GetAsync($"api/sessions/{cliId}/context?query=what%20did%20we%20find%3F");

        var carried = (string)context["carriedOver"]!;
        carried.ShouldContain("82C");
        carried.ShouldContain("thermal throttling");
        carried.ShouldContain("full of dust");
        carried.IndexOf("Continued from telegram", StringComparison.Ordinal)
            .ShouldBeLessThan(carried.IndexOf("Continued from web", StringComparison.Ordinal), "the chain reads oldest first");
        ((string?)cli["carriedOver"]!["earlier"]!["fromSessionId"]).ShouldBe(telegramId);

        // Within a small budget the carried part keeps its share, and the newest link wins over the oldest.
        var small = await server.GetAsync($"api/sessions/{cliId}/context?budget=200");
        ((int)small["tokens"]!["carriedOver"]!).ShouldBeLessThanOrEqualTo(30);
        ((int)small["tokens"]!["total"]!).ShouldBeLessThanOrEqualTo(200);
        var smallCarried = (string?)small["carriedOver"] ?? "";
        smallCarried.ShouldNotContain("Continued from telegram");
    }

    [Fact]
    public async Task Include_returns_only_the_parts_asked_for_and_an_unknown_part_is_a_400()
    {
        await using var server = await ContextServer.StartAsync();
        var sessionId = await server.OpenSessionAsync("api", "include-1");
        for (var i = 0; i < 20; i++)
        {
            await server.AppendAsync(sessionId, i % 2 == 0 ? "user" : "assistant", $"Message {i} about host node-{i}.");
        }

        // The first context records memory_loaded, which is bookkeeping: it names no entity and is not a recent message.
        var first = await server.GetAsync($"api/sessions/{sessionId}/context");
        var whole = await server.GetAsync($"api/sessions/{sessionId}/context");
        whole["messages"]!.ToJsonString().ShouldBe(first["messages"]!.ToJsonString());
        var parts = await server.GetAsync($"api/sessions/{sessionId}/context?include=messages,tokens");

        parts.Select(p => p.Key).ShouldBe(["messages", "tokens"]);
        parts["messages"]!.ToJsonString().ShouldBe(whole["messages"]!.ToJsonString());
        parts["tokens"]!.ToJsonString().ShouldBe(whole["tokens"]!.ToJsonString());
        whole.Select(p => p.Key).ShouldBe(["messages", "prompt", "budget", "tokens", "carriedOver", "summaries", "memories", "entities", "topics", "recent"]);

        using var unknown = await server.Http.GetAsync($"api/sessions/{sessionId}/context?include=messages,bogus");
        ((int)unknown.StatusCode).ShouldBe(400);
        unknown.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("bogus");
    }

    [Fact]
    public async Task A_5000_message_session_stays_under_its_limit_with_stacked_summaries_and_every_event_kept()
    {
        await using var server = await ContextServer.StartAsync();
        var sessionId = await server.OpenSessionAsync("api", "bulk-1", tokenLimit: 4000);
        for (var batch = 0; batch < 50; batch++)
        {
            var events = Enumerable.Range(0, 100).Select(i =>
            {
                var n = batch * 100 + i;
                return n % 2 == 0
                    ? new { role = "user", content = $"Question {n}: what is the load on host node-{n % 17} after deploy v1.{n % 9}?" }
                    : new { role = "assistant", content = $"Answer {n}: node-{n % 17} runs at {n % 100}% CPU; we decided to keep the canary for 30s." };
            }).ToArray();
            await server.PostAsync($"api/sessions/{sessionId}/events:batch", new { events });
        }

        // Compression runs in the background; wait until the unsummarized history is back under the threshold.
        await ContextServer.EventuallyAsync(async () =>
        {
            var summaries = await server.GetAsync($"api/sessions/{sessionId}/summaries");
            var context = await server.GetAsync($"api/sessions/{sessionId}/context");
            var recent = context["recent"]!.AsArray();
            return summaries["summaries"]!.AsArray().Count > 0 && recent.Count > 0 && (long)recent[0]!["seq"]! > 4000;
        }, TimeSpan.FromSeconds(60), "compression caught up");

        var ctx = await server.GetAsync($"api/sessions/{sessionId}/context");
        ((int)ctx["tokens"]!["total"]!).ShouldBeLessThanOrEqualTo(4000);
        ((int)ctx["tokens"]!["summaries"]!).ShouldBeGreaterThan(0);
        var active = (await server.GetAsync($"api/sessions/{sessionId}/summaries"))["summaries"]!.AsArray();
        active.Any(s => (int)s!["level"]! > 0).ShouldBeTrue("older summaries were stacked into a summary of summaries");
        ((long)active[0]!["fromSeq"]!).ShouldBe(1);

        // Nothing was deleted: the first and last events are still there.
        var first = await server.GetAsync($"api/sessions/{sessionId}/events?after=0&limit=1");
        ((string)first["events"]![0]!["content"]!).ShouldStartWith("Question 0:");
        var last = await server.GetAsync($"api/sessions/{sessionId}/events?after=4999&limit=5");
        ((long)last["events"]![0]!["seq"]!).ShouldBe(5000);

        // A folded event is marked with the first-level summary that covers it; the newest is not folded yet.
        var firstSummaryId = (string?)first["events"]![0]!["summaryId"];
        firstSummaryId.ShouldNotBeNull();
        firstSummaryId.ShouldStartWith("sum");
        last["events"]![0]!["summaryId"].ShouldBeNull();
    }

    [Fact]
    public async Task Summarizing_never_splits_a_tool_call_from_its_result_nor_a_question_from_its_answer()
    {
        await using var server = await ContextServer.StartAsync();
        var sessionId = await server.OpenSessionAsync("agent", "tools-1");
        for (var i = 0; i < 30; i++)
        {
            await server.AppendAsync(sessionId, "user", $"Step {i}: check disk on db-{i}.");
            await server.AppendAsync(sessionId, "assistant", $"df -h on db-{i}", type: "tool_call", name: "shell");
            await server.AppendAsync(sessionId, "tool", $"/dev/sda1 {50 + i}% used", type: "tool_result", name: "shell");
            await server.AppendAsync(sessionId, "assistant", $"db-{i} disk is at {50 + i}%.");
        }

        var result = await server.PostAsync($"api/sessions/{sessionId}/summarize", new { }, 200);
        ((int)result["written"]!).ShouldBeGreaterThan(0);
        foreach (var summary in result["summaries"]!.AsArray())
        {
            var next = await server.GetAsync($"api/sessions/{sessionId}/events?after={(long)summary!["toSeq"]!}&limit=1");
            var following = next["events"]!.AsArray();
            if (following.Count > 0)
            {
                ((string)following[0]!["type"]!).ShouldBe("message");
                ((string)following[0]!["role"]!).ShouldBe("user");
            }
        }

        var context = await server.GetAsync($"api/sessions/{sessionId}/context");
        var recent = context["recent"]!.AsArray();
        ((string)recent[0]!["role"]!).ShouldBe("user", "the context's recent part starts at a user turn");
    }

    [Fact]
    public async Task A_cleared_session_keeps_its_summaries_but_not_its_messages()
    {
        await using var server = await ContextServer.StartAsync();
        var sessionId = await server.OpenSessionAsync("web", "clear-1");
        for (var i = 0; i < 24; i++)
        {
            await server.AppendAsync(sessionId, i % 2 == 0 ? "user" : "assistant", $"Message {i} about the Zurich office move on 2026-12-0{i % 9 + 1}.");
        }

        await server.PostAsync($"api/sessions/{sessionId}/summarize", new { }, 200);
        await server.PostAsync($"api/sessions/{sessionId}/clear", new { }, 204);

        var context = await server.GetAsync($"api/sessions/{sessionId}/context");
        context["recent"]!.AsArray().Count.ShouldBe(0);
        context["summaries"]!.AsArray().Count.ShouldBeGreaterThan(0);
        ((string)context["prompt"]!).ShouldContain("Zurich");

        // New messages after the clear are in context again.
        await server.AppendAsync(sessionId, "user", "New topic: the Berlin launch.");
        var after = await server.GetAsync($"api/sessions/{sessionId}/context");
        after["recent"]!.AsArray().Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_user_entity_records_first_and_last_seen_counts_sessions_and_interfaces()
    {
        await using var server = await ContextServer.StartAsync();
        var first = await server.PostAsync("api/sessions", new { identity = new { @interface = "telegram", externalUserId = "ent-1" }, @interface = "telegram" });
        var userId = (string)first["userId"]!;
        await server.AppendAsync((string)first["id"]!, "user", "Deploy gateway-2 to host edge-7.example.com today.");
        var second = await server.PostAsync("api/sessions", new { userId, @interface = "web", mode = "new" });
        await server.AppendAsync((string)second["id"]!, "user", "Is gateway-2 healthy now?");

        var entities = (await server.GetAsync($"api/users/{userId}/entities"))["entities"]!.AsArray();
        var gateway = entities.Single(e => (string)e!["name"]! == "gateway-2")!;
        ((long)gateway["mentions"]!).ShouldBe(2);
        gateway["sessions"]!.AsArray().Count.ShouldBe(2);
        gateway["interfaces"]!.AsArray().Select(i => (string)i!).OrderBy(i => i).ShouldBe(["telegram", "web"]);
        entities.ShouldContain(e => (string)e!["name"]! == "edge-7.example.com");
    }

    [Fact]
    public async Task The_model_summarizes_when_configured_and_a_failing_model_falls_back_and_is_redone_later()
    {
        await using var model = await FakeChatModel.StartAsync();
        await using var server = await ContextServer.StartAsync(
            "--Continuum:Models:Chat:Endpoint", model.Endpoint,
            "--Continuum:Models:Chat:Model", "fake-model",
            "--Continuum:Models:Chat:Timeout", "00:00:02",
            "--Continuum:Context:SweepInterval", "00:00:00.500");
        var sessionId = await server.OpenSessionAsync("web", "model-1");
        for (var i = 0; i < 24; i++)
        {
            await server.AppendAsync(sessionId, i % 2 == 0 ? "user" : "assistant", $"Turn {i}: the cluster in Frankfurt needs 4 more GPUs.");
        }

        var ok = await server.PostAsync($"api/sessions/{sessionId}/summarize", new { }, 200);
        ((string)ok["summaries"]![0]!["summarizer"]!).ShouldBe("llm:fake-model");
        ((string)ok["summaries"]![0]!["content"]!).ShouldStartWith("- MODEL SUMMARY:");
        var userId = (string)(await server.GetAsync($"api/sessions/{sessionId}"))["userId"]!;
        var entities = (await server.GetAsync($"api/users/{userId}/entities"))["entities"]!.AsArray();
        entities.ShouldContain(e => (string)e!["name"]! == "Zelda Quartermaine" && (string)e!["kind"]! == "person", "the model's entities are added to the built-in ones");

        model.Mode = "fail";
        for (var i = 24; i < 48; i++)
        {
            await server.AppendAsync(sessionId, i % 2 == 0 ? "user" : "assistant", $"Turn {i}: Frankfurt order placed for 4 GPUs.");
        }

        var fallback = await server.PostAsync($"api/sessions/{sessionId}/summarize", new { }, 200);
        fallback["summaries"]!.AsArray().ShouldContain(s => (string)s!["summarizer"]! == "extractive-fallback");

        // The model recovers; the background sweep redoes the fallback summary with it.
        model.Mode = "ok";
        await ContextServer.EventuallyAsync(async () =>
        {
            var summaries = (await server.GetAsync($"api/sessions/{sessionId}/summaries"))["summaries"]!.AsArray();
            return summaries.All(s => (string)s!["summarizer"]! != "extractive-fallback");
        }, TimeSpan.FromSeconds(20), "the fallback summary was redone by the model");
    }

    [Fact]
    public async Task A_model_slower_than_its_timeout_falls_back_to_the_extractive_summary()
    {
        await using var model = await FakeChatModel.StartAsync();
        model.Mode = "slow";
        await using var server = await ContextServer.StartAsync(
            "--Continuum:Models:Chat:Endpoint", model.Endpoint,
            "--Continuum:Models:Chat:Model", "fake-model",
            "--Continuum:Models:Chat:Timeout", "00:00:01");
        var sessionId = await server.OpenSessionAsync("web", "slow-1");
        for (var i = 0; i < 24; i++)
        {
            await server.AppendAsync(sessionId, i % 2 == 0 ? "user" : "assistant", $"Turn {i}: the backup of db-main takes 45 minutes.");
        }

        var started = DateTime.UtcNow;
        var result = await server.PostAsync($"api/sessions/{sessionId}/summarize", new { }, 200);
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(8));
        ((string)result["summaries"]![0]!["summarizer"]!).ShouldBe("extractive-fallback");
        ((string)result["summaries"]![0]!["content"]!).ShouldContain("45 minutes");
    }

    [Fact]
    public async Task Context_of_an_unknown_session_is_404_and_a_bad_budget_is_400()
    {
        await using var server = await ContextServer.StartAsync();
        using var missing = await server.Http.GetAsync("api/sessions/ses_nope/context");
        ((int)missing.StatusCode).ShouldBe(404);
        var sessionId = await server.OpenSessionAsync("web", "budget-1");
        using var bad = await server.Http.GetAsync($"api/sessions/{sessionId}/context?budget=0");
        ((int)bad.StatusCode).ShouldBe(400);
        bad.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
