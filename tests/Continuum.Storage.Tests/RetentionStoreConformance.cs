using Continuum.Lifecycle;
using Continuum.Memory;
using Continuum.Search;
using Continuum.Security;
using Continuum.Sessions;

namespace Continuum.Storage.Tests;

/// <summary>What every retention store must do: delete what is past its time in bounded batches, with its index rows and vectors, and nothing else.</summary>
public abstract partial class StoreConformanceTests
{
    // Properties, not fields: T0 is a field of another part of this class, so a field here could be set before it.
    private static DateTimeOffset Old => T0;

    private static DateTimeOffset Recent => T0.AddDays(10);

    private static DateTimeOffset Cutoff => T0.AddDays(5);

    private const long LongLived = 90L * 24 * 3600;

    [Fact]
    public async Task Retention_deletes_events_before_the_cutoff_in_batches_with_their_index_rows_and_vectors_and_keeps_the_rest()
    {
        var user = await NewUserAsync();
        var session = await CreateAsync(NewSession(user.Id, "cli", "host-1", Old, LongLived));
        await Events.AppendAsync(Tenant, session.Id, [Record("ancient walrus one", at: Old), Record("ancient walrus two", at: Old), Record("ancient walrus three", at: Old)], Old, Ct);
        await Events.AppendAsync(Tenant, session.Id, [Record("fresh penguin four", at: Recent), Record("fresh penguin five", at: Recent)], Recent, Ct);
        var summary = NewSummary(session.Id, 1, 3, "walrus summary") with { CreatedAt = Old };
        (await Context.SaveSummaryAsync(Tenant, summary, 0, 10, [], Ct)).ShouldBeTrue();
        var memory = NewMemory(user.Id, "Likes the walrus") with { SessionId = session.Id };
        await Memories.AddAsync(Tenant, memory, (_, _) => new MemoryDecision(null, null, [], null), Ct);
        var model = "retention-" + Guid.NewGuid().ToString("N");
        var pending = (await Embeddings.PendingAsync(model, 100, Ct)).Where(p => p.TenantId == Tenant).ToList();
        await Embeddings.SaveAsync(model, [.. pending.Select(p => (p, (float[]?)[1f, 0f]))], Ct);
        var otherTenant = "t_" + Guid.NewGuid().ToString("N");
        var theirs = (await Sessions.OpenAsync(otherTenant, NewSession(null, "cli", "host-2", Old), null, Old, Ct)).Session;
        await Events.AppendAsync(otherTenant, theirs.Id, [Record("ancient walrus elsewhere", at: Old)], Old, Ct);

        var batches = new List<IReadOnlyDictionary<string, long>>();
        do
        {
            batches.Add(await Retention.DeleteEventsAsync(Tenant, Cutoff, 2, Ct));
        }
        while (batches[^1]["events"] > 0);

        batches.Select(b => b["events"]).ShouldBe([2L, 1L, 0L], "at most the limit a batch, until nothing is left");
        batches.Sum(b => b["embeddings"]).ShouldBe(3, "the deleted events' vectors go with them");
        var left = await Events.ListAsync(Tenant, session.Id, 0, 100, Ct);
        left.Select(e => e.Seq).ShouldBe([4L, 5L], "what remains is the newest run of the session, without gaps");
        (await Events.ListAsync(Tenant, session.Id, 3, 100, Ct)).Select(e => e.Seq).ShouldBe([4L, 5L]);
        var scope = new SearchScope(user.Id, null, null, null, null, null);
        (await Search.MatchAsync(Tenant, "event", scope, ["walrus"], 10, Ct)).ShouldBeEmpty("the full-text rows of deleted events are gone");
        (await Search.MatchAsync(Tenant, "event", scope, ["penguin"], 10, Ct)).Count.ShouldBe(2);
        var vectors = await Embeddings.VectorsAsync(Tenant, scope, model, Ct);
        vectors.Where(v => v.Kind == "event").Select(v => v.Row).Order().ShouldBe(pending.Where(p => p.Kind == "event" && p.Text.Contains("penguin", StringComparison.Ordinal)).Select(p => p.Row).Order());
        (await Context.GetActiveSummariesAsync(Tenant, session.Id, Ct)).Select(s => s.Id).ShouldBe([summary.Id], "summaries are kept unless set");
        (await Memories.GetAsync(Tenant, memory.Id, Ct)).ShouldNotBeNull("memories are kept unless set");
        (await Events.ListAsync(otherTenant, theirs.Id, 0, 100, Ct)).Count.ShouldBe(1, "another tenant is untouched");
        (await Sessions.GetAsync(Tenant, session.Id, Ct))!.LastSeq.ShouldBe(5, "the session keeps counting from where it was");
    }

    [Fact]
    public async Task Retention_with_summaries_and_memories_set_deletes_those_before_the_cutoff_and_keeps_newer_ones()
    {
        var user = await NewUserAsync();
        var session = await CreateAsync(NewSession(user.Id, "cli", "host-1", Old, LongLived));
        await Events.AppendAsync(Tenant, session.Id, [.. Enumerable.Range(1, 4).Select(i => Record($"turn {i}", at: Old))], Old, Ct);
        var old = NewSummary(session.Id, 1, 2, "old summary") with { CreatedAt = Old };
        var recent = NewSummary(session.Id, 3, 4, "recent summary") with { Id = Ids.New("sum_", Recent), CreatedAt = Recent };
        await Context.SaveSummaryAsync(Tenant, old, 0, 10, [], Ct);
        await Context.SaveSummaryAsync(Tenant, recent, 2, 10, [], Ct);
        var stale = NewMemory(user.Id, "Stale preference");
        var fresh = NewMemory(user.Id, "Fresh preference") with { Id = Ids.New("mem_", Recent), UpdatedAt = Recent, CreatedAt = Recent, ValidFrom = Recent };
        await Memories.AddAsync(Tenant, stale, (_, _) => new MemoryDecision(null, null, [], null), Ct);
        await Memories.AddAsync(Tenant, fresh, (_, _) => new MemoryDecision(null, null, [], null), Ct);

        (await Retention.DeleteSummariesAsync(Tenant, Cutoff, 10, Ct))["summaries"].ShouldBe(1);
        (await Retention.DeleteSummariesAsync(Tenant, Cutoff, 10, Ct))["summaries"].ShouldBe(0);
        (await Retention.DeleteMemoriesAsync(Tenant, Cutoff, 10, Ct))["memories"].ShouldBe(1);
        (await Retention.DeleteMemoriesAsync(Tenant, Cutoff, 10, Ct))["memories"].ShouldBe(0);

        (await Context.GetActiveSummariesAsync(Tenant, session.Id, Ct)).Select(s => s.Id).ShouldBe([recent.Id]);
        (await Memories.GetAsync(Tenant, stale.Id, Ct)).ShouldBeNull();
        (await Memories.GetAsync(Tenant, fresh.Id, Ct)).ShouldNotBeNull();
        (await Search.MatchAsync(Tenant, "summary", new SearchScope(user.Id, null, null, null, null, null), ["old"], 10, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Closed_sessions_past_the_cutoff_go_with_everything_of_theirs_and_open_recent_and_other_tenants_sessions_stay()
    {
        var user = await NewUserAsync();
        var closedOld = await CreateAsync(NewSession(user.Id, "cli", "host-1", Old, LongLived));
        await Events.AppendAsync(Tenant, closedOld.Id, [.. Enumerable.Range(1, 5).Select(i => Record($"closed narwhal {i}", at: Old))], Old, Ct);
        await Context.SaveSummaryAsync(Tenant, NewSummary(closedOld.Id, 1, 5, "narwhal summary") with { CreatedAt = Old }, 0, 10, [], Ct);
        var kept = NewMemory(user.Id, "Remembers the narwhal") with { SessionId = closedOld.Id };
        await Memories.AddAsync(Tenant, kept, (_, _) => new MemoryDecision(null, null, [], null), Ct);
        var closedRecent = await CreateAsync(NewSession(user.Id, "cli", "host-2", Recent, LongLived));
        var activeOld = await CreateAsync(NewSession(user.Id, "cli", "host-3", Old, LongLived));
        await Events.AppendAsync(Tenant, activeOld.Id, [Record("active narwhal", at: Old)], Old, Ct);
        foreach (var id in new[] { closedOld.Id, closedRecent.Id })
        {
            await Sessions.UpdateAsync(Tenant, id, s => s with { Status = SessionStatus.Closed }, Ct);
        }

        var otherTenant = "t_" + Guid.NewGuid().ToString("N");
        var theirs = (await Sessions.OpenAsync(otherTenant, NewSession(null, "cli", "host-4", Old), null, Old, Ct)).Session;
        await Sessions.UpdateAsync(otherTenant, theirs.Id, s => s with { Status = SessionStatus.Closed }, Ct);

        var total = new Dictionary<string, long>();
        var calls = 0;
        while (true)
        {
            var batch = await Retention.DeleteClosedSessionsAsync(Tenant, Cutoff, withMemories: false, 2, Ct);
            calls++;
            batch.GetValueOrDefault("events").ShouldBeLessThanOrEqualTo(2, "a batch holds at most the limit of events");
            foreach (var (kind, n) in batch)
            {
                total[kind] = total.GetValueOrDefault(kind) + n;
            }

            if (batch.Values.Sum() == 0)
            {
                break;
            }
        }

        calls.ShouldBeGreaterThan(2, "five events in batches of two take several transactions");
        total["events"].ShouldBe(5);
        total["sessions"].ShouldBe(1);
        total["summaries"].ShouldBe(1);
        total.GetValueOrDefault("memories").ShouldBe(0);
        (await Sessions.GetAsync(Tenant, closedOld.Id, Ct)).ShouldBeNull();
        (await Events.ListAsync(Tenant, closedOld.Id, 0, 100, Ct)).ShouldBeEmpty();
        (await Context.GetActiveSummariesAsync(Tenant, closedOld.Id, Ct)).ShouldBeEmpty();
        var scope = new SearchScope(user.Id, null, null, null, null, null);
        (await Search.MatchAsync(Tenant, "event", scope, ["narwhal"], 10, Ct)).Select(c => c.SessionId).ShouldBe([activeOld.Id]);
        (await Memories.GetAsync(Tenant, kept.Id, Ct)).ShouldNotBeNull("memories are kept unless set");
        (await Sessions.GetAsync(Tenant, closedRecent.Id, Ct)).ShouldNotBeNull("closed, but not long enough ago");
        (await Sessions.GetAsync(Tenant, activeOld.Id, Ct)).ShouldNotBeNull("old, but not closed");
        (await Sessions.GetAsync(otherTenant, theirs.Id, Ct)).ShouldNotBeNull("another tenant is untouched");

        // With memories set, a session's memories go with it.
        var withMemory = await CreateAsync(NewSession(user.Id, "cli", "host-5", Old, LongLived));
        var gone = NewMemory(user.Id, "Goes with its session") with { Id = Ids.New("mem_", Old), SessionId = withMemory.Id };
        await Memories.AddAsync(Tenant, gone, (_, _) => new MemoryDecision(null, null, [], null), Ct);
        await Sessions.UpdateAsync(Tenant, withMemory.Id, s => s with { Status = SessionStatus.Closed }, Ct);
        (await Retention.DeleteClosedSessionsAsync(Tenant, Cutoff, withMemories: true, 10, Ct))["memories"].ShouldBe(1);
        (await Memories.GetAsync(Tenant, gone.Id, Ct)).ShouldBeNull();
        (await Memories.GetAsync(Tenant, kept.Id, Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Retention_totals_add_up_per_tenant_with_an_audit_record_and_a_stored_policy_is_read_back_and_removed()
    {
        var otherTenant = "t_" + Guid.NewGuid().ToString("N");
        (await Retention.TotalsAsync(Tenant, Ct)).ShouldBe(RetentionTotals.None);
        var audit = new AuditEntry(Tenant, RetentionService.Actor, RetentionService.AuditAction, null, new Dictionary<string, long> { ["events"] = 3 }, T0);
        await Retention.RecordRunAsync(Tenant, new Dictionary<string, long> { ["events"] = 3, ["sessions"] = 1 }, T0, audit, Ct);
        await Retention.RecordRunAsync(Tenant, new Dictionary<string, long> { ["events"] = 2, ["summaries"] = 4, ["memories"] = 5 }, T0.AddHours(1), null, Ct);

        (await Retention.TotalsAsync(Tenant, Ct)).ShouldBe(new RetentionTotals(5, 1, 4, 5, T0.AddHours(1)));
        (await Retention.TotalsAsync(otherTenant, Ct)).ShouldBe(RetentionTotals.None);
        var records = (await Audit.ListAsync(Tenant, 10, null, Ct)).Items;
        records.Select(r => (r.Action, r.Actor, r.Counts["events"])).ShouldBe([(RetentionService.AuditAction, RetentionService.Actor, 3L)]);

        (await Retention.GetPolicyAsync(Tenant, Ct)).ShouldBeNull();
        var setAudit = new AuditEntry(Tenant, "local", RetentionPolicies.PolicySet, null, new Dictionary<string, long>(), T0);
        await Retention.SetPolicyAsync(Tenant, new RetentionPolicy { EventDays = 30, DeleteSummaries = true }, T0, setAudit, Ct);
        var stored = await Retention.GetPolicyAsync(Tenant, Ct);
        (stored!.EventDays, stored.ClosedSessionDays, stored.DeleteSummaries, stored.DeleteMemories).ShouldBe((30, null, true, null));
        (await Retention.PoliciesAsync(Ct)).Keys.ShouldContain(Tenant);
        (await Retention.TenantsAsync(Ct)).ShouldContain(Tenant);
        await Retention.SetPolicyAsync(Tenant, null, T0, setAudit with { Id = "" }, Ct);
        (await Retention.GetPolicyAsync(Tenant, Ct)).ShouldBeNull();
        (await Audit.ListAsync(Tenant, 10, null, Ct)).Items.Count(r => r.Action == RetentionPolicies.PolicySet).ShouldBe(2);
    }
}
