using System.Net;
using System.Text.Json.Nodes;
using Continuum.Lifecycle;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Security;
using Continuum.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Continuum.Server.Tests.Lifecycle;

/// <summary>Retention over real HTTP: the clock moves, the background job deletes, the stats and the audit log say what went.</summary>
public sealed class RetentionTests
{
    private static readonly string[] Retention =
    [
        "--Continuum:Retention:EventDays", "30", "--Continuum:Retention:ClosedSessionDays", "7", "--Continuum:Retention:Interval", "00:00:00.2",
    ];

    [Fact]
    public async Task Moving_the_clock_past_the_periods_deletes_closed_sessions_then_old_events_and_the_stats_and_audit_log_say_what_went()
    {
        var clock = new ShiftedClock();
        await using var server = await ApiServer.StartWithClockAsync(clock, Retention);
        var kept = (string)(await server.OpenSessionAsync("cli", "retention-kept"))["id"]!;
        await server.AppendAsync(kept, "first of the kept session");
        await server.AppendAsync(kept, "second of the kept session");
        var closed = (string)(await server.OpenSessionAsync("cli", "retention-closed"))["id"]!;
        await server.AppendAsync(closed, "the closed session's only turn");
        (await server.SendAsync(HttpMethod.Patch, $"api/sessions/{closed}", new { status = "closed" })).Status.ShouldBe(HttpStatusCode.OK);

        var ran = await WaitForStatsAsync(server, r => r["lastRunAt"] is not null);
        ((long)ran["events"]!).ShouldBe(0, "nothing is old yet");
        ((long)ran["sessions"]!).ShouldBe(0);

        clock.Advance(TimeSpan.FromDays(8));
        var afterClose = await WaitForStatsAsync(server, r => (long)r["sessions"]! == 1);
        ((long)afterClose["events"]!).ShouldBe(1, "the closed session's event went with it");
        (await server.GetAsync($"api/sessions/{closed}")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await server.AllEventsAsync(kept)).Count.ShouldBe(2, "an open session is not a closed one, and its events are not 30 days old");

        clock.Advance(TimeSpan.FromDays(23));
        var afterEvents = await WaitForStatsAsync(server, r => (long)r["events"]! == 3);
        ((long)afterEvents["summaries"]!).ShouldBe(0);
        ((long)afterEvents["memories"]!).ShouldBe(0);
        (await server.AllEventsAsync(kept)).ShouldBeEmpty();
        (await server.GetAsync($"api/sessions/{kept}")).Status.ShouldBe(HttpStatusCode.OK, "the session stays; its old events go");

        var audit = (await server.GetOkAsync("api/audit?limit=100"))["entries"]!.AsArray().Select(e => e!.AsObject()).Where(e => (string)e["action"]! == RetentionService.AuditAction).ToList();
        audit.Count.ShouldBe(2, "one record for each run that removed something, none for the runs that did not");
        audit.Sum(e => (long)e["counts"]!["events"]!).ShouldBe(3);
        audit.ShouldAllBe(e => (string)e["actor"]! == RetentionService.Actor);
    }

    [Fact]
    public async Task A_tenant_admin_stores_a_policy_that_wins_over_configuration_and_only_an_admin_key_may()
    {
        await using var server = await ApiServer.StartAsync([.. Retention, "--Continuum:Retention:Tenants:acme:EventDays", "90", "--Continuum:Security:RequireKeys", "true"]);
        var admin = await KeyedClient.WithNewKeyAsync(server, "acme", "read,write,admin");
        var writer = await KeyedClient.WithNewKeyAsync(server, "acme", "read,write");
        var otherAdmin = await KeyedClient.WithNewKeyAsync(server, "other", "read,write,admin");

        var before = (await admin.SendAsync(HttpMethod.Get, "api/retention")).Json;
        ((int)before["configured"]!["eventDays"]!).ShouldBe(90, "the tenant's override over the default");
        ((int)before["configured"]!["closedSessionDays"]!).ShouldBe(7, "inherited from the default");
        before["stored"].ShouldBeNull();

        var stored = await admin.SendAsync(HttpMethod.Put, "api/retention", new { eventDays = 1, deleteSummaries = true });
        stored.Status.ShouldBe(HttpStatusCode.OK);
        ((int)stored.Json["effective"]!["eventDays"]!).ShouldBe(1, "the stored policy wins");
        ((int)stored.Json["effective"]!["closedSessionDays"]!).ShouldBe(7, "what it leaves null comes from configuration");
        ((bool)stored.Json["effective"]!["deleteSummaries"]!).ShouldBeTrue();
        ((bool)stored.Json["effective"]!["deleteMemories"]!).ShouldBeFalse();
        ((int)(await otherAdmin.SendAsync(HttpMethod.Get, "api/retention")).Json["effective"]!["eventDays"]!).ShouldBe(30, "another tenant keeps the default");

        (await admin.SendAsync(HttpMethod.Put, "api/retention", new { eventDays = -1 })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await admin.SendAsync(HttpMethod.Put, "api/retention", new { closedSessionDays = 1_000_000 })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await writer.SendAsync(HttpMethod.Put, "api/retention", new { eventDays = 0 })).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await writer.SendAsync(HttpMethod.Get, "api/retention")).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await new KeyedClient(server, null).SendAsync(HttpMethod.Get, "api/retention")).ShouldBeProblem(HttpStatusCode.Unauthorized);

        var cleared = await admin.SendAsync(HttpMethod.Delete, "api/retention");
        cleared.Json["stored"].ShouldBeNull();
        ((int)cleared.Json["effective"]!["eventDays"]!).ShouldBe(90);
        var actions = (await admin.SendAsync(HttpMethod.Get, "api/audit")).Json["entries"]!.AsArray().Select(e => (string)e!["action"]!).ToList();
        actions.Count(a => a == RetentionPolicies.PolicySet).ShouldBe(2, "storing and removing a policy are audited");
    }

    [Fact]
    public async Task A_bad_retention_setting_stops_the_server_at_start_with_a_message_that_names_it()
    {
        var failure = await Should.ThrowAsync<OptionsValidationException>(async () =>
        {
            await using var server = await ApiServer.StartAsync("--Continuum:Retention:Tenants:acme:ClosedSessionDays", "-3", "--Continuum:Retention:BatchSize", "0");
        });

        failure.Message.ShouldContain("Continuum:Retention:Tenants:acme:ClosedSessionDays must be between 0 (off) and 36500 days");
        failure.Message.ShouldContain("Continuum:Retention:BatchSize must be between 1 and 100000");
    }

    [Fact]
    public async Task Without_retention_configured_nothing_is_deleted_however_far_the_clock_moves()
    {
        var clock = new ShiftedClock();
        await using var server = await ApiServer.StartWithClockAsync(clock, "--Continuum:Retention:Interval", "00:00:00.2");
        var session = (string)(await server.OpenSessionAsync("cli", "retention-off"))["id"]!;
        await server.AppendAsync(session, "kept forever");
        (await server.SendAsync(HttpMethod.Patch, $"api/sessions/{session}", new { status = "closed" })).Status.ShouldBe(HttpStatusCode.OK);
        var job = server.Services.GetRequiredService<RetentionService>();
        clock.Advance(TimeSpan.FromDays(3650));
        var runs = job.Runs;
        await WaitAsync(() => job.Runs >= runs + 3);

        (await server.AllEventsAsync(session)).Count.ShouldBe(1);
        var stats = (await server.GetOkAsync("api/stats"))["retention"]!;
        ((long)stats["events"]!).ShouldBe(0);
        stats["lastRunAt"].ShouldBeNull("with no policy the job touches no tenant");
    }

    internal static async Task<JsonObject> WaitForStatsAsync(ApiServer server, Func<JsonObject, bool> done)
    {
        JsonObject? last = null;
        await WaitAsync(async () =>
        {
            last = (await server.GetOkAsync("api/stats"))["retention"]!.AsObject();
            return done(last);
        });
        return last!;
    }

    internal static Task WaitAsync(Func<bool> done) => WaitAsync(() => Task.FromResult(done()));

    internal static async Task WaitAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await done())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the retention job did not get there in 30 seconds");
            await Task.Delay(100);
        }
    }
}
