using Continuum.Search;

namespace Continuum.Storage.Tests;

/// <summary>What every search store must do: match terms, say whose each item is, and never read a term as syntax.</summary>
public abstract partial class StoreConformanceTests
{
    private static SearchScope UserScope(string userId) => new(userId, null, null, null, null, null);

    [Fact]
    public async Task Search_by_terms_finds_the_users_events_with_whose_they_are_and_not_other_users_events()
    {
        var user = await NewUserAsync();
        var other = await NewUserAsync();
        var mine = await CreateAsync(NewSession(user.Id, "agent", "host-1", T0) with { AgentId = "planner" });
        var theirs = await CreateAsync(NewSession(other.Id, "cli", "host-2", T0));
        await Events.AppendAsync(Tenant, mine.Id, [Record("The GPU on gpu-3 runs at 82C"), Record("lunch at noon")], T0, Ct);
        await Events.AppendAsync(Tenant, theirs.Id, [Record("my GPU is cold")], T0, Ct);

        var found = await Search.MatchAsync(Tenant, "event", UserScope(user.Id), ["gpu", "temperature"], 10, Ct);

        found.Select(c => (c.Content, c.SessionId, c.UserId, c.AgentId)).ShouldBe([("The GPU on gpu-3 runs at 82C", mine.Id, user.Id, "planner")]);
        found[0].Score.ShouldBeGreaterThan(0);
        (await Search.MatchAsync(Tenant, "event", UserScope(user.Id), [], 10, Ct)).ShouldBeEmpty("no terms match nothing");
    }

    [Fact]
    public async Task Terms_that_look_like_index_syntax_are_matched_as_words()
    {
        var user = await NewUserAsync();
        var session = await CreateAsync(NewSession(user.Id, "cli", "host-1", T0));
        await Events.AppendAsync(Tenant, session.Id, [Record("near the OR gate and the NOT gate")], T0, Ct);

        foreach (var terms in new[] { new[] { "near" }, ["or"], ["not", "\"quoted\""], ["gate*"], ["a:b"], ["(gate"] })
        {
            await Search.MatchAsync(Tenant, "event", UserScope(user.Id), terms, 10, Ct);
        }

        (await Search.MatchAsync(Tenant, "event", UserScope(user.Id), ["gate"], 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Neighbours_and_ranges_of_events_say_whose_they_are()
    {
        var user = await NewUserAsync();
        var session = await CreateAsync(NewSession(user.Id, "agent", "host-1", T0) with { AgentId = "coder" });
        await Events.AppendAsync(Tenant, session.Id, [.. Enumerable.Range(1, 5).Select(i => Record($"turn {i}"))], T0, Ct);

        var around = await Search.EventsAroundAsync(Tenant, [(session.Id, 3)], 1, Ct);
        var range = await Search.EventRangeAsync(Tenant, session.Id, 4, 5, Ct);

        around.Select(c => c.Seq).Order().ShouldBe([2L, 3L, 4L]);
        range.Select(c => c.Seq).ShouldBe([4L, 5L]);
        around.Concat(range).ShouldAllBe(c => c.UserId == user.Id && c.AgentId == "coder");
    }

    [Fact]
    public async Task The_document_frequency_of_a_term_counts_the_events_that_hold_it()
    {
        var user = await NewUserAsync();
        var session = await CreateAsync(NewSession(user.Id, "cli", "host-1", T0));
        await Events.AppendAsync(Tenant, session.Id, [Record("zebra crossing"), Record("zebra stripes"), Record("horse")], T0, Ct);

        var (documents, total) = await Search.EventFrequencyAsync("zebra", Ct);

        documents.ShouldBe(2);
        total.ShouldBeGreaterThanOrEqualTo(3);
        (await Search.EventFrequencyAsync("", Ct)).Documents.ShouldBe(0);
    }
}
