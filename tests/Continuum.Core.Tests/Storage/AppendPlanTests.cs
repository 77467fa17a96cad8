using Continuum.Context;
using Continuum.Errors;
using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Users;

namespace Continuum.Core.Tests.Storage;

public sealed class AppendPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyDictionary<string, SessionEvent> NoneStored = new Dictionary<string, SessionEvent>();

    private static AppendTarget Open(long lastSeq = 0) => new("usr_1", "cli", SessionStatus.Active, Now.AddHours(1), 3600, lastSeq);

    private static EventRecord Record(string content, string? key = null, string role = EventRole.User, string type = EventType.Message, int tokens = 3) => new()
    {
        Id = "evt_" + Guid.NewGuid().ToString("N"),
        Type = type,
        Role = role,
        Content = content,
        Tokens = tokens,
        Entities = content.Contains("gpu-3", StringComparison.Ordinal) ? ["gpu-3"] : [],
        Mentions = content.Contains("gpu-3", StringComparison.Ordinal) ? [new EntityMention("gpu-3", "host")] : [],
        CreatedAt = Now,
        IdempotencyKey = key,
    };

    private static SessionEvent Stored(string content, long seq, string key) => Record(content, key).ToEvent("ses_1", seq, "cli");

    [Fact]
    public void New_events_take_the_next_seq_numbers_and_the_counters_grow_by_what_they_hold()
    {
        var plan = AppendPlan.For("ses_1", [Record("hi"), Record("hello", role: EventRole.Assistant, tokens: 5), Record("ls", type: EventType.ToolCall, role: EventRole.Assistant, tokens: 2)]);

        var decision = plan.Decide(Open(lastSeq: 7), NoneStored, Now);

        decision.Replay.ShouldBeFalse();
        decision.Rows.Select(r => r.Seq).ShouldBe([8L, 9L, 10L]);
        decision.Results.Select(r => (r.Event.Seq, r.Event.Interface, r.Existing)).ShouldBe([(8L, "cli", false), (9L, "cli", false), (10L, "cli", false)]);
        decision.LastSeq.ShouldBe(10);
        decision.Counts.ShouldBe(new EventCounts(Messages: 2, Input: 3, Output: 7, ToolCalls: 1, Errors: 0));
        decision.ExpiresAt.ShouldBe(Now.AddSeconds(3600), "an append slides the expiry from now");
    }

    [Fact]
    public void An_event_stores_its_entity_names_as_a_json_array()
    {
        var decision = AppendPlan.For("ses_1", [Record("gpu-3 is hot"), Record("fine")]).Decide(Open(), NoneStored, Now);

        decision.Rows.Select(r => r.EntitiesJson).ShouldBe(["[\"gpu-3\"]", "[]"]);
    }

    [Fact]
    public void A_key_stored_before_answers_with_the_original_and_takes_no_seq()
    {
        var original = Stored("first try", 3, "k-1");
        var plan = AppendPlan.For("ses_1", [Record("retry", key: "k-1"), Record("new", key: "k-2")]);
        plan.Keys.ShouldBe(["k-1", "k-2"]);

        var decision = plan.Decide(Open(lastSeq: 5), new Dictionary<string, SessionEvent> { ["k-1"] = original }, Now);

        decision.Results[0].ShouldBe(new AppendResult(original, true));
        decision.Results[1].Event.Seq.ShouldBe(6);
        decision.Rows.Select(r => r.Record.Content).ShouldBe(["new"]);
        decision.Counts.Messages.ShouldBe(1, "only the new event counts");
    }

    [Fact]
    public void A_key_repeated_within_one_batch_is_stored_once_and_the_repeat_answers_with_it()
    {
        var decision = AppendPlan.For("ses_1", [Record("one", key: "k"), Record("one again", key: "k"), Record("two")]).Decide(Open(), NoneStored, Now);

        decision.Rows.Select(r => (r.Seq, r.Record.Content)).ShouldBe([(1L, "one"), (2L, "two")]);
        decision.Results[1].Existing.ShouldBeTrue();
        decision.Results[1].Event.ShouldBe(decision.Results[0].Event);
    }

    [Theory]
    [InlineData(SessionStatus.Closed, "closed")]
    [InlineData(SessionStatus.Expired, "expired")]
    public void A_closed_or_expired_session_refuses_new_events_with_a_conflict(string status, string said)
    {
        var session = Open() with { Status = status };

        var error = Should.Throw<ConflictException>(() => AppendPlan.For("ses_1", [Record("late")]).Decide(session, NoneStored, Now));

        error.ErrorType.ShouldBe("session-closed");
        error.Message.ShouldContain(said);
    }

    [Fact]
    public void A_session_past_its_expiry_time_refuses_new_events_even_while_marked_active()
    {
        var lapsed = Open() with { ExpiresAt = Now };

        Should.Throw<ConflictException>(() => AppendPlan.For("ses_1", [Record("late")]).Decide(lapsed, NoneStored, Now));
    }

    [Fact]
    public void A_retry_to_a_closed_session_of_appends_it_acknowledged_gets_the_originals_and_writes_nothing()
    {
        var closed = Open(lastSeq: 2) with { Status = SessionStatus.Closed };
        var stored = new Dictionary<string, SessionEvent> { ["k-1"] = Stored("a", 1, "k-1"), ["k-2"] = Stored("b", 2, "k-2") };

        var decision = AppendPlan.For("ses_1", [Record("a", key: "k-1"), Record("b", key: "k-2")]).Decide(closed, stored, Now);

        decision.Replay.ShouldBeTrue();
        decision.Rows.ShouldBeEmpty();
        decision.Results.Select(r => (r.Event.Seq, r.Existing)).ShouldBe([(1L, true), (2L, true)]);
        decision.Outcome(0, 0).UnsummarizedTokens.ShouldBe(0);
    }

    [Fact]
    public void A_retry_to_a_closed_session_with_one_event_never_acknowledged_is_refused_whole()
    {
        var closed = Open(lastSeq: 1) with { Status = SessionStatus.Closed };
        var stored = new Dictionary<string, SessionEvent> { ["k-1"] = Stored("a", 1, "k-1") };

        Should.Throw<ConflictException>(() => AppendPlan.For("ses_1", [Record("a", key: "k-1"), Record("b", key: "k-2")]).Decide(closed, stored, Now));
    }

    [Fact]
    public void An_unknown_session_is_not_found()
    {
        Should.Throw<NotFoundException>(() => AppendPlan.For("ses_missing", [Record("hi")]).Decide(null, NoneStored, Now));
    }

    [Fact]
    public void Appended_in_one_statement_the_events_end_at_the_sessions_new_last_seq()
    {
        var plan = AppendPlan.For("ses_1", [Record("a"), Record("b"), Record("c")]);

        var outcome = plan.Appended(lastSeq: 12, "telegram", unsummarizedTokens: 900, tokenLimit: 1000);

        outcome.Select(r => (r.Event.Seq, r.Event.Interface, r.Event.SessionId)).ShouldBe([(10L, "telegram", "ses_1"), (11L, "telegram", "ses_1"), (12L, "telegram", "ses_1")]);
        (outcome.UnsummarizedTokens, outcome.TokenLimit).ShouldBe((900L, 1000));
    }
}
