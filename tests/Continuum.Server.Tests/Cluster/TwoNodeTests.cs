using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Continuum.Storage.Postgres;
using Continuum.Storage.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Server.Tests.Cluster;

/// <summary>Two Continuum servers (real Kestrel on loopback) on one PostgreSQL database, as behind a load balancer.</summary>
public sealed class TwoNodeTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    private static string[] Settings(string connectionString) =>
        ["--Continuum:Storage:Provider", "postgres", "--Continuum:Storage:Postgres:ConnectionString", connectionString];

    [Fact]
    public async Task Appends_through_both_nodes_keep_seq_contiguous_idempotency_holds_and_each_node_reads_the_others_writes()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var a = await ApiServer.StartAsync(Settings(database));
        await using var b = await ApiServer.StartAsync(Settings(database));

        var session = await a.OpenSessionAsync("telegram", "two-nodes-1");
        var sessionId = (string)session["id"]!;
        ((string)(await b.GetOkAsync($"api/sessions/{sessionId}"))["id"]!).ShouldBe(sessionId, "read-your-writes through the other node");

        // 4 clients on each node append at once; every fifth append is retried with its key through the other node.
        var acknowledged = new ConcurrentBag<(long Seq, string Id, string Content)>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async client =>
        {
            var node = client % 2 == 0 ? a : b;
            var other = client % 2 == 0 ? b : a;
            for (var i = 0; i < 25; i++)
            {
                var content = $"client {client} message {i}";
                var key = i % 5 == 0 ? $"k-{client}-{i}" : null;
                var first = await node.PostOkAsync($"api/sessions/{sessionId}/events", new { content, idempotencyKey = key });
                acknowledged.Add(((long)first["seq"]!, (string)first["id"]!, content));
                if (key is not null)
                {
                    var retry = await other.SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events", new { content, idempotencyKey = key });
                    retry.Status.ShouldBe(HttpStatusCode.OK, "an idempotent retry through the other node returns the original");
                    ((string)retry.Json["id"]!).ShouldBe((string)first["id"]!);
                }
            }
        }));

        var events = await b.AllEventsAsync(sessionId);
        events.Select(e => (long)e["seq"]!).ShouldBe(Enumerable.Range(1, 200).Select(i => (long)i), "contiguous, no gaps, no duplicates");
        events.Select(e => (string)e["id"]!).Order().ShouldBe(acknowledged.Select(x => x.Id).Order());
        ((long)(await a.GetOkAsync($"api/sessions/{sessionId}"))["counters"]!["messages"]!).ShouldBe(200);

        // Users, handoffs, agents and memories written on one node are there on the other.
        var userId = (string)session["userId"]!;
        await a.PostOkAsync("api/memories", new { userId, kind = "fact", content = "GPU temp is 82C" });
        var superseding = await b.PostOkAsync("api/memories", new { userId, kind = "fact", content = "after the fan fix it is 61C" });
        ((string)superseding["action"]!).ShouldBe("superseded");
        var found = await b.PostOkAsync("api/search", new { userId, query = "client 3 message 7" }, HttpStatusCode.OK);
        found["results"]!.AsArray().Select(r => (string)r!["content"]!).ShouldContain("client 3 message 7");
        await a.PostOkAsync("api/handoffs", new { project = "cluster", goal = "two nodes", nextSteps = new[] { new { task = "load balancer", priority = "high" } } });
        ((string)(await b.GetAsync("api/briefing?project=cluster")).Text).ShouldContain("load balancer");

        // Each node keeps a hot-session cache, checked against the row's version; its figures are in the stats.
        for (var i = 0; i < 3; i++)
        {
            ((long)(await b.GetOkAsync($"api/sessions/{sessionId}"))["counters"]!["messages"]!).ShouldBe(200);
        }

        var cacheStats = (await b.GetOkAsync("api/stats"))["sessionCache"]!;
        ((int)cacheStats["capacity"]!).ShouldBe(1000);
        ((long)cacheStats["hits"]!).ShouldBeGreaterThan(0);
        ((double)cacheStats["hitRate"]!).ShouldBeGreaterThan(0);
        await cluster.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task A_change_made_through_one_node_is_pushed_to_a_stream_subscriber_on_the_other()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var a = await ApiServer.StartAsync(Settings(database));
        await using var b = await ApiServer.StartAsync(Settings(database));
        var sessionId = (string)(await a.OpenSessionAsync("web", "two-nodes-stream"))["id"]!;
        (await a.SendAsync(HttpMethod.Put, "api/agents/listener", new { agentName = "Listener", agentType = "test" })).Status.ShouldBe(HttpStatusCode.Created);

        await using var stream = await StreamClient.ConnectAsync(b, [$"session:{sessionId}", "inbox:listener"]);
        await a.AppendAsync(sessionId, "appended on node A");
        await a.PostOkAsync("api/messages", new { from = "sender", to = "listener", type = "notification", subject = "from A" });

        var received = new List<Client.StreamItem> { await StreamClient.ReceiveAsync(stream), await StreamClient.ReceiveAsync(stream) };
        received.ShouldContain(m => m.Type == "event" && m.As<Sessions.SessionEvent>().Content == "appended on node A");
        received.ShouldContain(m => m.Type == "message" && m.As<Continuum.Agents.HubMessage>().Subject == "from A");

        // It came by NOTIFY: node B heard node A's notices (its own are not counted).
        b.Services.GetRequiredService<PostgresChangeFeed>().Received.ShouldBeGreaterThan(0);
        await cluster.DropDatabaseAsync(database);
    }
}
