using System.Collections.Concurrent;
using System.Net;
using Continuum.Server.Tests.Api;
using Continuum.Storage.Tests;

namespace Continuum.Server.Tests.Cluster;

/// <summary>PostgreSQL restarted under load from two nodes: nothing acknowledged is lost and the nodes recover on their own.</summary>
public sealed class RestartTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task A_restart_under_load_loses_no_acknowledged_append_and_both_nodes_recover()
    {
        var database = await cluster.CreateDatabaseAsync();
        string[] settings = ["--Continuum:Storage:Provider", "postgres", "--Continuum:Storage:Postgres:ConnectionString", database];
        await using var a = await ApiServer.StartAsync(settings);
        await using var b = await ApiServer.StartAsync(settings);
        var sessionId = (string)(await a.OpenSessionAsync("cli", "restart-1"))["id"]!;

        var acknowledged = new ConcurrentBag<(string Id, DateTimeOffset At, string Node)>();
        var unavailable = 0;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 8).Select(client => Task.Run(async () =>
        {
            var (node, name) = client % 2 == 0 ? (a, "a") : (b, "b");
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var reply = await node.SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events", new { content = $"client {client} append {i}" });
                if (reply.Status == HttpStatusCode.Created)
                {
                    acknowledged.Add(((string)reply.Json["id"]!, DateTimeOffset.UtcNow, name));
                }
                else
                {
                    // While the database is down an append is refused with a 503 problem, never a 500.
                    reply.ShouldBeProblem(HttpStatusCode.ServiceUnavailable);
                    Interlocked.Increment(ref unavailable);
                    await Task.Delay(50);
                }
            }
        })).ToList();

        await Task.Delay(1000);
        // Down for longer than the store's retries last (about 3 s): short blips are ridden out, this one is not.
        await cluster.StopAsync("fast");
        await Task.Delay(5000);
        await cluster.StartAsync();
        var restarted = DateTimeOffset.UtcNow;
        await Task.Delay(3000);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        unavailable.ShouldBeGreaterThan(0, "the outage outlasted the retries and was reported as 503");
        acknowledged.ShouldContain(x => x.At > restarted && x.Node == "a", "node A recovered without a restart of its own");
        acknowledged.ShouldContain(x => x.At > restarted && x.Node == "b", "node B recovered without a restart of its own");
        var stored = await b.AllEventsAsync(sessionId);
        stored.Select(e => (long)e["seq"]!).ShouldBe(Enumerable.Range(1, stored.Count).Select(i => (long)i), "seq stays contiguous");
        var ids = stored.Select(e => (string)e["id"]!).ToHashSet();
        acknowledged.Where(x => !ids.Contains(x.Id)).ShouldBeEmpty("every acknowledged append is stored");
        await cluster.DropDatabaseAsync(database);
    }
}
