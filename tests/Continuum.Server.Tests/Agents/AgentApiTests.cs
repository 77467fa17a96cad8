using System.Net;
using System.Text.Json.Nodes;
using Continuum.Agents;
using Continuum.Client;
using Continuum.Server.Tests.Api;

namespace Continuum.Server.Tests.Agents;

public sealed class AgentApiTests
{
    [Fact]
    public async Task Planner_developer_and_reviewer_work_together_through_the_api()
    {
        await using var server = await ApiServer.StartAsync();
        foreach (var (id, name, caps) in new[] { ("planner-1", "Planner", "planning"), ("dev-1", "Developer", "python,tests"), ("rev-1", "Reviewer", "review") })
        {
            var agent = await Created(server, HttpMethod.Put, $"api/agents/{id}", new { agentName = name, agentType = "Claude", humanUser = "Alexa", capabilities = caps.Split(','), @namespace = "shop" });
            ((string)agent["status"]!).ShouldBe("active");
        }

        // The plan goes on the blackboard; the developer finds it by tag.
        await Created(server, HttpMethod.Put, "api/shared/shop/plan", new { sessionId = "planner-1", value = new { steps = new[] { "cart", "checkout" } }, type = "task", tags = new[] { "plan", "active" } });
        var found = await server.GetOkAsync("api/shared/shop?tags=plan,active");
        ((string)found["entries"]![0]!["key"]!).ShouldBe("plan");

        // A task offer to everyone in the namespace, accepted by the developer in the same thread.
        var offer = await server.PostOkAsync("api/messages", new { from = "planner-1", type = "task_offer", subject = "Build the cart", body = "Who takes it?" });
        ((int)offer["recipients"]!).ShouldBe(2);
        var accept = await server.PostOkAsync("api/messages", new { from = "dev-1", type = "task_accept", subject = "Taking the cart", replyTo = (long)offer["id"]! });
        ((long)accept["threadId"]!).ShouldBe((long)offer["id"]!);
        ((string)accept["to"]!).ShouldBe("planner-1");
        await Ok(server, HttpMethod.Patch, "api/agents/dev-1", new { status = "working", currentTask = "cart" });

        var working = await server.GetOkAsync("api/agents?status=working");
        working["agents"]!.AsArray().Select(a => (string)a!["sessionId"]!).ShouldBe(["dev-1"]);
        ((string)working["agents"]![0]!["currentTask"]!).ShouldBe("cart");
        (await server.GetOkAsync("api/agents?capability=review"))["agents"]!.AsArray().Select(a => (string)a!["sessionId"]!).ShouldBe(["rev-1"]);

        // A request for review, then the handoff of the work to the reviewer.
        await server.PostOkAsync("api/messages", new { from = "dev-1", to = "rev-1", type = "request", subject = "Review the cart", body = "PR 12" });
        await server.PostOkAsync("api/messages", new { from = "dev-1", to = "rev-1", type = "handoff", subject = "Cart is yours", data = new { pr = 12 } });
        var inbox = await server.GetOkAsync("api/agents/rev-1/inbox");
        inbox["messages"]!.AsArray().Select(m => (string)m!["type"]!).ShouldBe(["task_offer", "request", "handoff"]);
        var handoffs = await server.GetOkAsync("api/agents/rev-1/inbox?type=handoff");
        ((int)handoffs["messages"]![0]!["data"]!["pr"]!).ShouldBe(12);

        var requestId = (long)inbox["messages"]![1]!["id"]!;
        var acked = await server.PostOkAsync($"api/messages/{requestId}/ack?sessionId=rev-1", new { }, HttpStatusCode.OK);
        ((int)acked["acknowledged"]!).ShouldBe(1);
        (await server.GetOkAsync("api/agents/rev-1/inbox?unread=true"))["messages"]!.AsArray().Count.ShouldBe(2);

        var thread = await server.GetOkAsync($"api/messages/{(long)accept["id"]!}/thread");
        thread["messages"]!.AsArray().Select(m => (string)m!["type"]!).ShouldBe(["task_offer", "task_accept"]);

        // A ping is answered by the hub with a pong in the sender's inbox.
        var ping = await server.PostOkAsync("api/messages", new { from = "planner-1", to = "dev-1", type = "ping", subject = "alive?" });
        var pong = (await server.GetOkAsync("api/agents/planner-1/inbox?type=response"))["messages"]!.AsArray().Last()!;
        ((string)pong["subject"]!).ShouldBe("pong");
        ((long)pong["replyTo"]!).ShouldBe((long)ping["id"]!);
        ((string)pong["body"]!).ShouldContain("working: cart");

        var stats = await server.GetOkAsync("api/agents/stats");
        ((int)stats["agents"]!["total"]!).ShouldBe(3);
        ((int)stats["agents"]!["byStatus"]!["working"]!).ShouldBe(1);
        ((int)stats["shared"]!["keys"]!).ShouldBe(1);
    }

    [Fact]
    public async Task Sixty_four_writers_racing_with_compare_and_set_lose_no_write()
    {
        await using var server = await ApiServer.StartAsync();
        const int Writers = 64;

        var conflicts = 0;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(async writer =>
        {
            while (true)
            {
                var current = await server.GetAsync("api/shared/race/counter");
                var version = current.Status == HttpStatusCode.OK ? (long)current.Json["version"]! : 0;
                var write = await server.SendAsync(HttpMethod.Put, "api/shared/race/counter", new { sessionId = $"writer-{writer}", value = writer, type = "state", expectedVersion = version });
                if (write.Status is HttpStatusCode.OK or HttpStatusCode.Created)
                {
                    ((long)write.Json["version"]!).ShouldBe(version + 1);
                    write.Status.ShouldBe(version == 0 ? HttpStatusCode.Created : HttpStatusCode.OK);
                    return;
                }

                write.ShouldBeProblem(HttpStatusCode.Conflict).ShouldEndWith("version-conflict");
                Interlocked.Increment(ref conflicts);
            }
        }));

        var versions = (await server.GetOkAsync("api/shared/race/counter?all=true"))["entries"]!.AsArray();
        versions.Select(v => (long)v!["version"]!).ShouldBe(Enumerable.Range(1, Writers).Select(v => (long)v));
        versions.Select(v => (int)v!["value"]!).Order().ShouldBe(Enumerable.Range(0, Writers));
        conflicts.ShouldBeGreaterThan(0, "64 writers at once must have collided");
    }

    [Fact]
    public async Task A_stream_client_that_disconnects_resumes_from_its_cursor_without_gaps_or_repeats()
    {
        await using var server = await ApiServer.StartAsync();
        await Created(server, HttpMethod.Put, "api/agents/listener", new { agentName = "Listener", agentType = "test" });
        var session = (string)(await server.OpenSessionAsync("web", "streamer"))["id"]!;

        var first = await StreamClient.ConnectAsync(server, ["inbox:listener", $"session:{session}", "memory:stream-ns"]);
        for (var i = 1; i <= 10; i++)
        {
            await server.PostOkAsync("api/messages", new { from = "sender", to = "listener", type = "notification", subject = $"n{i}" });
        }

        await server.AppendAsync(session, "first event");
        await Created(server, HttpMethod.Put, "api/shared/stream-ns/k", new { sessionId = "sender", value = 1 });

        var seen = new List<StreamItem>();
        while (seen.Count(m => m.Type == "message") < 5)
        {
            seen.Add(await StreamClient.ReceiveAsync(first));
        }

        var lastInbox = seen.Where(m => m.Type == "message").Max(m => m.Cursor);
        first.Cursors["inbox:listener"].ShouldBe(lastInbox);
        await first.DisposeAsync();

        for (var i = 11; i <= 20; i++)
        {
            await server.PostOkAsync("api/messages", new { from = "sender", to = "listener", type = "notification", subject = $"n{i}" });
        }

        await using var resume = await StreamClient.ConnectAsync(server, ["inbox:listener"], new() { ["inbox:listener"] = lastInbox });
        var subjects = new List<string>();
        var cursors = new List<long>();
        var subjectsBefore = seen.Where(m => m.Type == "message" && m.Cursor <= lastInbox).Select(m => m.As<HubMessage>().Subject).ToList();
        while (subjectsBefore.Count + subjects.Count < 20)
        {
            var item = await StreamClient.ReceiveAsync(resume);
            item.Type.ShouldBe("message");
            subjects.Add(item.As<HubMessage>().Subject);
            cursors.Add(item.Cursor);
        }

        subjectsBefore.Concat(subjects).ShouldBe(Enumerable.Range(1, 20).Select(i => $"n{i}"));
        cursors.ShouldBeInOrder();
    }

    [Fact]
    public async Task Stream_subscribers_receive_session_events_and_shared_memory_changes()
    {
        await using var server = await ApiServer.StartAsync();
        var session = (string)(await server.OpenSessionAsync("web", "events-streamer"))["id"]!;
        await server.AppendAsync(session, "before subscribing");
        await using var stream = await StreamClient.ConnectAsync(server, [$"session:{session}", "memory:live"]);

        await server.AppendAsync(session, "after subscribing");
        await Created(server, HttpMethod.Put, "api/shared/live/flag", new { sessionId = "s", value = true, type = "config" });

        var items = new[] { await StreamClient.ReceiveAsync(stream), await StreamClient.ReceiveAsync(stream) };
        var evt = items.Single(i => i.Type == "event");
        evt.As<Sessions.SessionEvent>().Content.ShouldBe("after subscribing");
        evt.Cursor.ShouldBe(2);
        var memory = items.Single(i => i.Type == "memory");
        memory.As<SharedEntry>().Key.ShouldBe("flag");
    }

    [Fact]
    public async Task An_agent_whose_heartbeats_stop_is_offline_and_a_ping_brings_it_back()
    {
        var clock = new Continuum.Testing.ShiftedClock();
        await using var server = await ApiServer.StartWithClockAsync(clock, "--Continuum:Agents:HeartbeatTimeout", "00:00:01");
        await Created(server, HttpMethod.Put, "api/agents/quiet", new { agentName = "Quiet", agentType = "test" });

        clock.Advance(TimeSpan.FromSeconds(1.5));
        var offline = await server.GetOkAsync("api/agents/quiet");
        var active = await server.GetOkAsync("api/agents");
        var all = await server.GetOkAsync("api/agents?all=true");
        var pinged = await server.PostOkAsync("api/agents/quiet/ping", new { }, HttpStatusCode.OK);

        ((string)offline["status"]!).ShouldBe("offline");
        ((string)offline["reportedStatus"]!).ShouldBe("active");
        active["agents"]!.AsArray().ShouldBeEmpty();
        all["agents"]!.AsArray().Count.ShouldBe(1);
        ((string)pinged["status"]!).ShouldBe("active");
    }

    [Fact]
    public async Task Expired_entries_vanish_from_reads_at_once()
    {
        var clock = new Continuum.Testing.ShiftedClock();
        await using var server = await ApiServer.StartWithClockAsync(clock);
        await Created(server, HttpMethod.Put, "api/shared/ttl/short", new { sessionId = "s", value = "soon gone", ttlSeconds = 1, tags = new[] { "t" } });
        await Created(server, HttpMethod.Put, "api/shared/ttl/long", new { sessionId = "s", value = "stays", tags = new[] { "t" } });
        (await server.GetAsync("api/shared/ttl/short")).Status.ShouldBe(HttpStatusCode.OK);

        clock.Advance(TimeSpan.FromSeconds(1.3));

        (await server.GetAsync("api/shared/ttl/short")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.GetOkAsync("api/shared/ttl?tags=t"))["entries"]!.AsArray().Select(e => (string)e!["key"]!).ShouldBe(["long"]);
        var rewritten = await Created(server, HttpMethod.Put, "api/shared/ttl/short", new { sessionId = "s", value = "again", expectedVersion = 0 });
        ((long)rewritten["version"]!).ShouldBe(2);
    }

    [Fact]
    public async Task Bad_agent_input_gets_problem_details()
    {
        await using var server = await ApiServer.StartAsync();
        await Created(server, HttpMethod.Put, "api/agents/a1", new { agentName = "A", agentType = "t" });

        (await server.SendAsync(HttpMethod.Put, "api/agents/a2", new { agentType = "t" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.SendAsync(HttpMethod.Patch, "api/agents/a1", new { status = "sleeping" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.SendAsync(HttpMethod.Patch, "api/agents/nobody", new { status = "idle" })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.PostAsync("api/agents/nobody/ping", new { })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.PostAsync("api/messages", new { from = "a1", to = "b", type = "gossip", subject = "x" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.PostAsync("api/messages", new { from = "a1", to = "b" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.PostAsync("api/messages", new { from = "a1", subject = "re", replyTo = 999 })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.PostAsync("api/messages/999/ack", new { })).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.SendAsync(HttpMethod.Put, "api/shared/ns/k", new { sessionId = "a1" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.SendAsync(HttpMethod.Put, "api/shared/ns/k", new { sessionId = "a1", value = 1, type = "gossip" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.SendAsync(HttpMethod.Put, "api/shared/bad%20ns/k", new { sessionId = "a1", value = 1 })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.SendAsync(HttpMethod.Put, "api/shared/ns/k", new { sessionId = "a1", value = 1, expectedVersion = 3 })).ShouldBeProblem(HttpStatusCode.Conflict);
        (await server.GetAsync("api/shared/ns/k")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.SendAsync(HttpMethod.Delete, "api/shared/ns/k")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await server.GetAsync("api/stream")).ShouldBeProblem(HttpStatusCode.BadRequest);
    }

    private static async Task<JsonObject> Ok(ApiServer server, HttpMethod method, string path, object body)
    {
        var reply = await server.SendAsync(method, path, body);
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        return reply.Json;
    }

    private static async Task<JsonObject> Created(ApiServer server, HttpMethod method, string path, object body)
    {
        var reply = await server.SendAsync(method, path, body);
        reply.Status.ShouldBe(HttpStatusCode.Created, reply.Text);
        return reply.Json;
    }
}
