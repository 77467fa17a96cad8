using Continuum.Context;
using Continuum.Sessions;

namespace Continuum.Core.Tests.Context;

public sealed class CompressionBoundaryTests
{
    private static readonly ContextOptions Defaults = new();

    private static SessionEvent Event(long seq, string type, string role) => new()
    {
        Id = $"evt_{seq}",
        SessionId = "ses_1",
        Seq = seq,
        Type = type,
        Role = role,
        Content = $"event {seq}",
        Interface = "api",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void Fewer_messages_than_the_minimum_kept_fold_nothing()
    {
        var events = Enumerable.Range(1, 10).Select(i => Event(i, "message", i % 2 == 1 ? "user" : "assistant")).ToList();
        SessionCompressor.FindBoundary(events, Defaults, force: false).ShouldBe(0);
    }

    [Fact]
    public void The_kept_part_starts_at_a_user_message_so_tool_pairs_stay_together()
    {
        // Turns of: user message, assistant tool call, tool result, assistant message.
        var events = new List<SessionEvent>();
        var seq = 1L;
        for (var turn = 0; turn < 40; turn++)
        {
            events.Add(Event(seq++, "message", "user"));
            events.Add(Event(seq++, "tool_call", "assistant"));
            events.Add(Event(seq++, "tool_result", "tool"));
            events.Add(Event(seq++, "message", "assistant"));
        }

        var boundary = SessionCompressor.FindBoundary(events, Defaults, force: false);

        boundary.ShouldBeGreaterThan(0);
        events[boundary].Type.ShouldBe("message");
        events[boundary].Role.ShouldBe("user");
        var keptMessages = events.Skip(boundary).Count(e => e.Type == "message");
        keptMessages.ShouldBeGreaterThanOrEqualTo((int)Math.Ceiling(80 * Defaults.KeepRecentRatio));
    }

    [Fact]
    public void A_boundary_never_lands_between_a_question_and_its_answer()
    {
        var events = Enumerable.Range(1, 60).Select(i => Event(i, "message", i % 2 == 1 ? "user" : "assistant")).ToList();
        for (var keep = 0.05; keep < 0.9; keep += 0.05)
        {
            var boundary = SessionCompressor.FindBoundary(events, new ContextOptions { KeepRecentRatio = keep, KeepRecentMin = 1 }, force: false);
            if (boundary > 0)
            {
                events[boundary].Role.ShouldBe("user");
            }
        }
    }
}
