using System.Net;
using Continuum.Lifecycle;
using Continuum.Server.Tests.Api;
using Continuum.Storage.Postgres;
using Continuum.Storage.Tests;
using Continuum.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Server.Tests.Lifecycle;

/// <summary>Retention on two servers over one PostgreSQL database: only the holder of the cluster lease runs it.</summary>
public sealed class RetentionTwoNodeTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task Neither_node_deletes_while_another_holds_the_retention_lease_and_one_does_once_it_is_free()
    {
        var database = await cluster.CreateDatabaseAsync();
        string[] settings =
        [
            "--Continuum:Storage:Provider", "postgres", "--Continuum:Storage:Postgres:ConnectionString", database,
            "--Continuum:Retention:ClosedSessionDays", "7", "--Continuum:Retention:Interval", "00:00:00.2",
        ];
        var clock = new ShiftedClock();
        await using var a = await ApiServer.StartWithClockAsync(clock, settings);
        await using var b = await ApiServer.StartWithClockAsync(clock, settings);
        var closed = (string)(await a.OpenSessionAsync("cli", "lease-closed"))["id"]!;
        await a.AppendAsync(closed, "a turn of a session about to close");
        (await b.SendAsync(HttpMethod.Patch, $"api/sessions/{closed}", new { status = "closed" })).Status.ShouldBe(HttpStatusCode.OK);

        // A third holder (as a node in the middle of a long run would) keeps the lease.
        await using var holderDatabase = new PostgresDatabase(database);
        var holder = new PostgresClusterLease(holderDatabase);
        IAsyncDisposable? held = null;
        await RetentionTests.WaitAsync(async () => (held = await holder.TryAcquireAsync(RetentionService.LeaseName, CancellationToken.None)) is not null);
        var jobA = a.Services.GetRequiredService<RetentionService>();
        var jobB = b.Services.GetRequiredService<RetentionService>();
        var (skippedA, skippedB) = (jobA.Skipped, jobB.Skipped);
        var runs = jobA.Runs + jobB.Runs;
        clock.Advance(TimeSpan.FromDays(8));

        await RetentionTests.WaitAsync(() => jobA.Skipped >= skippedA + 3 && jobB.Skipped >= skippedB + 3);
        (jobA.Runs + jobB.Runs).ShouldBe(runs, "no node runs while the lease is held elsewhere");
        (await a.GetAsync($"api/sessions/{closed}")).Status.ShouldBe(HttpStatusCode.OK);

        await held!.DisposeAsync();
        var stats = await RetentionTests.WaitForStatsAsync(b, r => (long)r["sessions"]! == 1);
        ((long)stats["events"]!).ShouldBe(1);
        (jobA.Runs + jobB.Runs).ShouldBeGreaterThan(runs);
        (await b.GetAsync($"api/sessions/{closed}")).Status.ShouldBe(HttpStatusCode.NotFound);
        var records = (await a.GetOkAsync("api/audit"))["entries"]!.AsArray().Count(e => (string)e!["action"]! == RetentionService.AuditAction);
        records.ShouldBe(1, "one node removed it, once");
        await a.DisposeAsync();
        await b.DisposeAsync();
        await cluster.DropDatabaseAsync(database);
    }
}
