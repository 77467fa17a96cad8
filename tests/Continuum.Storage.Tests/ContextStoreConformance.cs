using Continuum.Context;

namespace Continuum.Storage.Tests;

/// <summary>What every context store must do with summaries: store them once, read them back whole.</summary>
public abstract partial class StoreConformanceTests
{
    private static Summary NewSummary(string sessionId, long from, long to, string content) => new()
    {
        Id = Ids.New("sum_", T0),
        SessionId = sessionId,
        Level = 0,
        FromSeq = from,
        ToSeq = to,
        Content = content,
        Tokens = 12,
        Summarizer = "extractive",
        CreatedAt = T0.AddMinutes(30),
    };

    [Fact]
    public async Task A_summary_is_stored_once_for_its_range_and_read_back_as_written()
    {
        var session = await CreateAsync(NewSession(null, "cli", "host-1", T0));
        await Events.AppendAsync(Tenant, session.Id, [.. Enumerable.Range(1, 6).Select(i => Record($"turn {i}"))], T0, Ct);
        var summary = NewSummary(session.Id, 1, 4, "Turns one to four.");

        (await Context.SaveSummaryAsync(Tenant, summary, 0, 40, ["turns"], Ct)).ShouldBeTrue();
        (await Context.SaveSummaryAsync(Tenant, NewSummary(session.Id, 1, 4, "again"), 0, 40, [], Ct)).ShouldBeFalse("a second compressor cannot fold the same events");

        (await Context.GetActiveSummariesAsync(Tenant, session.Id, Ct)).ShouldBe([summary]);
        (await Context.GetWatermarksAsync(Tenant, session.Id, Ct)).SummarizedSeq.ShouldBe(4);
        (await Events.ListAsync(Tenant, session.Id, 0, 10, Ct)).Select(e => e.SummaryId).ShouldBe([summary.Id, summary.Id, summary.Id, summary.Id, null, null]);
    }

    [Fact]
    public async Task A_stacked_summary_covers_its_parts_which_then_leave_the_active_list()
    {
        var session = await CreateAsync(NewSession(null, "cli", "host-1", T0));
        await Events.AppendAsync(Tenant, session.Id, [.. Enumerable.Range(1, 4).Select(i => Record($"turn {i}"))], T0, Ct);
        var first = NewSummary(session.Id, 1, 2, "one and two");
        var second = NewSummary(session.Id, 3, 4, "three and four");
        await Context.SaveSummaryAsync(Tenant, first, 0, 10, [], Ct);
        await Context.SaveSummaryAsync(Tenant, second, 2, 10, [], Ct);
        var stacked = NewSummary(session.Id, 1, 4, "all four") with { Level = 1 };

        (await Context.SaveStackedSummaryAsync(Tenant, stacked, [first.Id, second.Id], Ct)).ShouldBeTrue();

        (await Context.GetActiveSummariesAsync(Tenant, session.Id, Ct)).ShouldBe([stacked]);
        (await Context.SaveStackedSummaryAsync(Tenant, NewSummary(session.Id, 1, 4, "twice") with { Level = 1 }, [first.Id], Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task Each_event_read_names_the_first_level_summary_covering_it_from_any_page_start()
    {
        var session = await CreateAsync(NewSession(null, "cli", "host-1", T0));
        await Events.AppendAsync(Tenant, session.Id, [.. Enumerable.Range(1, 12).Select(i => Record($"turn {i}"))], T0, Ct);
        var first = NewSummary(session.Id, 1, 3, "one to three");
        var second = NewSummary(session.Id, 4, 6, "four to six");
        var third = NewSummary(session.Id, 7, 9, "seven to nine");
        (await Context.SaveSummaryAsync(Tenant, first, 0, 10, [], Ct)).ShouldBeTrue();
        (await Context.SaveSummaryAsync(Tenant, second, 3, 10, [], Ct)).ShouldBeTrue();
        (await Context.SaveSummaryAsync(Tenant, third, 6, 10, [], Ct)).ShouldBeTrue();
        (await Context.SaveStackedSummaryAsync(Tenant, NewSummary(session.Id, 1, 6, "one to six") with { Level = 1 }, [first.Id, second.Id], Ct)).ShouldBeTrue();

        (await Events.ListAsync(Tenant, session.Id, 0, 20, Ct)).Select(e => e.SummaryId)
            .ShouldBe([first.Id, first.Id, first.Id, second.Id, second.Id, second.Id, third.Id, third.Id, third.Id, null, null, null]);
        var page = await Events.ListAsync(Tenant, session.Id, 4, 6, Ct);
        page.Select(e => e.Seq).ShouldBe([5L, 6L, 7L, 8L, 9L, 10L]);
        page.Select(e => e.SummaryId).ShouldBe([second.Id, second.Id, third.Id, third.Id, third.Id, null]);
        (await Events.ListAsync(Tenant, session.Id, 9, 20, Ct)).Select(e => e.SummaryId).ShouldBe([null, null, null]);
    }
}
