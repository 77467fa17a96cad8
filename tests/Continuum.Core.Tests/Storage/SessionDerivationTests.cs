using Continuum.Errors;
using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Users;

namespace Continuum.Core.Tests.Storage;

public sealed class SessionDerivationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly Session Parent = new()
    {
        Id = "ses_parent",
        Interface = "cli",
        Status = SessionStatus.Active,
        CreatedAt = T0,
        LastActiveAt = T0,
        ExpiresAt = T0.AddHours(1),
        ExpiresInSeconds = 3600,
        TokenLimit = 1000,
        LastSeq = 8,
    };

    private static Session Child(Session parent, IReadOnlyList<SessionEvent> last) => Parent with
    {
        Id = "ses_child",
        ParentId = parent.Id,
        LastSeq = 0,
        CreatedAt = T0.AddMinutes(5),
        Entities = parent.Entities,
        Title = $"{last.Count} carried",
    };

    [Fact]
    public void A_fork_defaults_to_the_parents_last_seq_and_may_be_taken_earlier()
    {
        SessionDerivation.ForkPoint(Parent.Id, Parent, null).ShouldBe(8);
        SessionDerivation.ForkPoint(Parent.Id, Parent, 3).ShouldBe(3);
    }

    [Fact]
    public void A_fork_past_the_parents_last_seq_is_a_validation_error_on_atSeq()
    {
        var error = Should.Throw<ValidationException>(() => SessionDerivation.ForkPoint(Parent.Id, Parent, 9));

        error.Message.ShouldContain("8");
    }

    [Fact]
    public void Deriving_from_a_missing_parent_is_not_found()
    {
        Should.Throw<NotFoundException>(() => SessionDerivation.ForkPoint("ses_gone", null, null));
    }

    [Fact]
    public void A_fork_starts_at_its_seq_copies_the_events_up_to_it_and_links_at_it()
    {
        var (child, link, copyThrough) = SessionDerivation.Derive(Parent, SessionLinkType.Fork, 5, ["gpu-3"], [], Child);

        child.LastSeq.ShouldBe(5);
        child.Entities.ShouldBe(["gpu-3"], "the child sees the parent's top entities");
        copyThrough.ShouldBe(5);
        link.ShouldBe(new SessionLink("ses_parent", "ses_child", SessionLinkType.Fork, 5, child.CreatedAt));
    }

    [Fact]
    public void A_continuation_starts_empty_with_the_carried_messages_and_a_link_without_a_seq()
    {
        var last = new[] { new SessionEvent { Id = "evt_1", SessionId = "ses_parent", Seq = 8, Type = EventType.Message, Role = EventRole.User, Content = "bye", Interface = "cli", CreatedAt = T0 } };

        var (child, link, copyThrough) = SessionDerivation.Derive(Parent, SessionLinkType.Continuation, 8, [], last, Child);

        child.LastSeq.ShouldBe(0);
        child.Title.ShouldBe("1 carried");
        copyThrough.ShouldBe(0);
        link.AtSeq.ShouldBeNull();
        link.Type.ShouldBe(SessionLinkType.Continuation);
    }
}
