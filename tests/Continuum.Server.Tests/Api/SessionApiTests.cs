using System.Net;
using System.Text.Json.Nodes;

namespace Continuum.Server.Tests.Api;

public sealed class SessionApiTests
{
    [Fact]
    public async Task A_retried_append_with_the_same_idempotency_key_returns_201_then_200_with_the_same_event()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("telegram", "tg-1"))["id"]!;
        var body = new { role = "user", content = "GPU temp is 82C", idempotencyKey = "tg-msg-1001" };

        var first = await server.PostAsync($"api/sessions/{sessionId}/events", body);
        var retry = await server.PostAsync($"api/sessions/{sessionId}/events", body);
        var next = await server.PostOkAsync($"api/sessions/{sessionId}/events", new { content = "and now?" });

        first.Status.ShouldBe(HttpStatusCode.Created);
        retry.Status.ShouldBe(HttpStatusCode.OK);
        ((string)retry.Json["id"]!).ShouldBe((string)first.Json["id"]!);
        ((long)retry.Json["seq"]!).ShouldBe(1);
        ((long)next["seq"]!).ShouldBe(2);
        (await server.AllEventsAsync(sessionId)).Count.ShouldBe(2);
        ((long)(await server.GetOkAsync($"api/sessions/{sessionId}"))["counters"]!["messages"]!).ShouldBe(2);
    }

    [Fact]
    public async Task Concurrent_opens_for_one_identity_create_one_session_and_resume_it_for_the_rest()
    {
        await using var server = await ApiServer.StartAsync();
        var body = new { identity = new { @interface = "telegram", externalUserId = "tg-race" }, @interface = "telegram", interfaceId = "chat-race" };

        var replies = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => server.PostAsync("api/sessions", body))));

        replies.Count(r => r.Status == HttpStatusCode.Created).ShouldBe(1);
        replies.Count(r => r.Status == HttpStatusCode.OK).ShouldBe(11);
        replies.Select(r => (string)r.Json["id"]!).Distinct().Count().ShouldBe(1);
        replies.Select(r => (string)r.Json["userId"]!).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task A_session_past_its_expiry_takes_no_events_and_is_not_resumed()
    {
        var clock = new Continuum.Testing.ShiftedClock();
        await using var server = await ApiServer.StartWithClockAsync(clock);
        var body = new { identity = new { @interface = "web", externalUserId = "short-lived" }, @interface = "web", expiresInSeconds = 1 };
        var first = await server.PostOkAsync("api/sessions", body);
        var sessionId = (string)first["id"]!;
        await server.AppendAsync(sessionId, "quick question");

        clock.Advance(TimeSpan.FromSeconds(1.5));

        var late = await server.PostAsync($"api/sessions/{sessionId}/events", new { content = "still there?" });
        late.ShouldBeProblem(HttpStatusCode.Conflict).ShouldEndWith("/session-closed");
        var reopened = await server.PostOkAsync("api/sessions", body);
        ((string)reopened["id"]!).ShouldNotBe(sessionId);
        (await server.AllEventsAsync(sessionId)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_event_dated_in_the_future_is_400_and_a_past_date_is_kept()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("api", "import-1"))["id"]!;
        var lastYear = new DateTimeOffset(DateTimeOffset.UtcNow.Year - 1, 3, 14, 15, 9, 26, TimeSpan.Zero);

        var future = await server.PostAsync($"api/sessions/{sessionId}/events", new { content = "from tomorrow", createdAt = DateTimeOffset.UtcNow.AddDays(1) });
        var past = await server.PostOkAsync($"api/sessions/{sessionId}/events", new { content = "imported", createdAt = lastYear, metadata = new { source = "export.jsonl", line = 7 } });

        future.ShouldBeProblem(HttpStatusCode.BadRequest);
        future.Json["errors"]!["createdAt"].ShouldNotBeNull();
        DateTimeOffset.Parse((string)past["createdAt"]!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(lastYear);
        JsonNode.DeepEquals(past["metadata"], JsonNode.Parse("""{"source":"export.jsonl","line":7}""")).ShouldBeTrue();
        var stored = (await server.AllEventsAsync(sessionId)).Single();
        JsonNode.DeepEquals(stored["metadata"], past["metadata"]).ShouldBeTrue("metadata comes back exactly as it was appended");
    }

    [Fact]
    public async Task Thirty_two_concurrent_http_writers_get_seq_1_to_640_with_nothing_lost()
    {
        const int writers = 32;
        const int perWriter = 20;
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("api", "load-1"))["id"]!;

        var seqs = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < perWriter; i++)
            {
                var reply = await server.PostAsync($"api/sessions/{sessionId}/events", new { role = w % 2 == 0 ? "user" : "assistant", content = $"writer {w} message {i}" });
                reply.Status.ShouldBe(HttpStatusCode.Created, reply.Text);
                mine.Add((long)reply.Json["seq"]!);
            }

            return mine;
        })));

        var total = writers * perWriter;
        seqs.ShouldAllBe(mine => mine.SequenceEqual(mine.Order()));
        seqs.SelectMany(s => s).Order().ShouldBe(Enumerable.Range(1, total).Select(i => (long)i));
        var events = await server.AllEventsAsync(sessionId);
        events.Select(e => (long)e["seq"]!).ShouldBe(Enumerable.Range(1, total).Select(i => (long)i));
        events.Select(e => (string)e["content"]!).Order(StringComparer.Ordinal).ShouldBe(
            Enumerable.Range(0, writers).SelectMany(w => Enumerable.Range(0, perWriter).Select(i => $"writer {w} message {i}")).Order(StringComparer.Ordinal));
        var session = await server.GetOkAsync($"api/sessions/{sessionId}");
        ((long)session["lastSeq"]!).ShouldBe(total);
        ((long)session["counters"]!["messages"]!).ShouldBe(total);
    }

    [Fact]
    public async Task A_batch_is_appended_in_order_with_contiguous_seq()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("agent", "agent-1"))["id"]!;
        await server.AppendAsync(sessionId, "before");

        var batch = await server.PostOkAsync($"api/sessions/{sessionId}/events:batch", new
        {
            events = new object[]
            {
                new { content = "run the tests" },
                new { type = "tool_call", content = "dotnet test", name = "shell" },
                new { type = "tool_result", content = "640 passed", name = "shell" },
                new { type = "error", content = "flaky: 1 retry" },
            },
        });

        var stored = batch["events"]!.AsArray().Select(e => e!.AsObject()).ToList();
        stored.Select(e => (long)e["seq"]!).ShouldBe([2L, 3, 4, 5]);
        stored.Select(e => (string)e["role"]!).ShouldBe(["user", "assistant", "tool", "system"]);
        var session = await server.GetOkAsync($"api/sessions/{sessionId}");
        ((long)session["counters"]!["toolCalls"]!).ShouldBe(1);
        ((long)session["counters"]!["errors"]!).ShouldBe(1);
        ((long)session["counters"]!["messages"]!).ShouldBe(2);
    }

    [Fact]
    public async Task A_batch_with_one_bad_event_is_400_and_stores_nothing()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "batch-1"))["id"]!;

        var reply = await server.PostAsync($"api/sessions/{sessionId}/events:batch", new
        {
            events = new object[]
            {
                new { content = "first" },
                new { role = "robot", content = "second" },
                new { content = "third" },
            },
        });

        reply.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldEndWith("/validation");
        reply.Json["errors"]!.AsObject().Select(e => e.Key).ShouldBe(["events[1].role"]);
        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
        var session = await server.GetOkAsync($"api/sessions/{sessionId}");
        ((long)session["lastSeq"]!).ShouldBe(0);
        ((long)session["counters"]!["messages"]!).ShouldBe(0);
    }

    [Fact]
    public async Task A_batch_with_one_event_over_the_content_limit_is_413_and_stores_nothing()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "batch-2"))["id"]!;

        var reply = await server.PostAsync($"api/sessions/{sessionId}/events:batch", new
        {
            events = new object[] { new { content = "small" }, new { content = new string('x', 256 * 1024 + 1) } },
        });

        reply.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge).ShouldEndWith("/payload-too-large");
        (await server.AllEventsAsync(sessionId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Patch_merges_state_and_preferences_and_a_null_removes_a_key()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "patch-1"))["id"]!;

        var first = await server.SendAsync(HttpMethod.Patch, $"api/sessions/{sessionId}", new
        {
            title = "GPU investigation",
            state = new { step = 1, gpu = new { name = "gpu-3", temp = 82 } },
            preferences = new { theme = "dark", lang = "en" },
        });
        var second = await server.SendRawAsync(HttpMethod.Patch, $"api/sessions/{sessionId}", """
            { "state": { "gpu": { "temp": 61 }, "step": null }, "preferences": { "lang": null, "units": "metric" } }
            """);

        first.Status.ShouldBe(HttpStatusCode.OK, first.Text);
        second.Status.ShouldBe(HttpStatusCode.OK, second.Text);
        var stored = await server.GetOkAsync($"api/sessions/{sessionId}");
        foreach (var session in new[] { second.Json, stored })
        {
            ((string)session["title"]!).ShouldBe("GPU investigation");
            JsonNode.DeepEquals(session["state"], JsonNode.Parse("""{"gpu":{"name":"gpu-3","temp":61}}""")).ShouldBeTrue(session["state"]!.ToJsonString());
            JsonNode.DeepEquals(session["preferences"], JsonNode.Parse("""{"theme":"dark","units":"metric"}""")).ShouldBeTrue(session["preferences"]!.ToJsonString());
        }

        var notAnObject = await server.SendRawAsync(HttpMethod.Patch, $"api/sessions/{sessionId}", """{ "state": [1, 2] }""");
        notAnObject.ShouldBeProblem(HttpStatusCode.BadRequest);
        notAnObject.Json["errors"]!["state"].ShouldNotBeNull();
    }

    [Fact]
    public async Task A_fork_at_a_seq_holds_the_events_up_to_it_and_a_seq_past_the_end_is_400()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "fork-1"))["id"]!;
        await server.PostOkAsync($"api/sessions/{sessionId}/events:batch", new
        {
            events = Enumerable.Range(1, 5).Select(i => new { role = i % 2 == 1 ? "user" : "assistant", content = $"turn {i}" }).ToArray(),
        });

        var fork = await server.PostOkAsync($"api/sessions/{sessionId}/fork", new { atSeq = 3 });
        var forkId = (string)fork["id"]!;

        ((string)fork["parentId"]!).ShouldBe(sessionId);
        ((long)fork["lastSeq"]!).ShouldBe(3);
        ((long)fork["counters"]!["messages"]!).ShouldBe(3);
        (await server.AllEventsAsync(forkId)).Select(e => ((long)e["seq"]!, (string)e["content"]!))
            .ShouldBe([(1L, "turn 1"), (2L, "turn 2"), (3L, "turn 3")]);
        var link = (await server.GetOkAsync($"api/sessions/{forkId}/links"))["links"]!.AsArray().Single()!;
        ((string)link["type"]!).ShouldBe("fork");
        ((long)link["atSeq"]!).ShouldBe(3);
        ((long)(await server.AppendAsync(forkId, "a different turn 4"))["seq"]!).ShouldBe(4);
        (await server.AllEventsAsync(sessionId)).Count.ShouldBe(5);

        var pastTheEnd = await server.PostAsync($"api/sessions/{sessionId}/fork", new { atSeq = 6 });
        pastTheEnd.ShouldBeProblem(HttpStatusCode.BadRequest).ShouldEndWith("/validation");
        pastTheEnd.Json["errors"]!["atSeq"].ShouldNotBeNull();
        (await server.PostAsync($"api/sessions/{sessionId}/fork", new { atSeq = -1 })).ShouldBeProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Sessions_list_newest_first_and_page_by_cursor()
    {
        await using var server = await ApiServer.StartAsync();
        var ids = new List<string>();
        string? userId = null;
        for (var i = 0; i < 7; i++)
        {
            var session = await server.PostOkAsync("api/sessions", new
            {
                identity = new { @interface = "web", externalUserId = "pager" },
                @interface = i < 5 ? "web" : "cli",
                mode = "new",
                title = $"session {i}",
            });
            ids.Add((string)session["id"]!);
            userId = (string)session["userId"]!;
        }

        await server.OpenSessionAsync("web", "someone-else");

        var listed = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await server.GetOkAsync($"api/sessions?userId={userId}&limit=3" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            var items = page["sessions"]!.AsArray();
            items.Count.ShouldBeLessThanOrEqualTo(3);
            listed.AddRange(items.Select(s => (string)s!["id"]!));
            cursor = (string?)page["next"];
            pages++;
        }
        while (cursor is not null && pages < 10);

        pages.ShouldBe(3);
        listed.ShouldBe(ids.AsEnumerable().Reverse());
        var cli = await server.GetOkAsync($"api/sessions?userId={userId}&interface=cli");
        cli["sessions"]!.AsArray().Select(s => (string)s!["id"]!).ShouldBe([ids[6], ids[5]]);
        (await server.GetAsync("api/sessions?cursor=not-a-cursor")).ShouldBeProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Delete_removes_the_session_and_its_events()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("web", "delete-1"))["id"]!;
        await server.AppendAsync(sessionId, "forget me");

        var deleted = await server.SendAsync(HttpMethod.Delete, $"api/sessions/{sessionId}");

        deleted.Status.ShouldBe(HttpStatusCode.NoContent);
        (await server.GetAsync($"api/sessions/{sessionId}")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.GetAsync($"api/sessions/{sessionId}/events")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.SendAsync(HttpMethod.Delete, $"api/sessions/{sessionId}")).ShouldBeProblem(HttpStatusCode.NotFound);
    }
}
