using System.Text.Json;
using Continuum.Handoffs;

namespace Continuum.Core.Tests.Handoffs;

public sealed class KnowledgeFoldTests
{
    private static readonly DateTimeOffset Started = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static Handoff Handoff() => new()
    {
        Id = "hof_2",
        Project = "infra",
        Achievements = ["Replaced the fan on gpu-01"],
        Decisions = [new HandoffDecision("Keep SQLite", "small"), new HandoffDecision("Add PostgreSQL later")],
        Insights = ["Thermal paste is fine", "thermal paste is FINE"],
        Blockers = [new HandoffBlocker("fan noise", Lesson: "Check the fan first"), new HandoffBlocker("no lesson")],
        NextSteps = [new NextStep("Stress test gpu-01", "high"), new NextStep("Write the runbook"), new NextStep("  ")],
        Architecture = new Dictionary<string, JsonElement> { ["db"] = JsonDocument.Parse("\"sqlite\"").RootElement.Clone() },
        CodeCreated = ["src/fan.sh"],
        StartedAt = Started,
        EndedAt = Started.AddMinutes(90),
        CreatedAt = Started.AddHours(3),
    };

    private static readonly IReadOnlyList<(PendingWork Work, string Key)> Open =
    [
        (new PendingWork("task-004", "Replace the fan on gpu-01", "high", PendingStatus.Open, Started.AddDays(-1), null, null), TaskMatcher.Key("Replace the fan on gpu-01")),
        (new PendingWork("task-005", "Write the runbook", "low", PendingStatus.Open, Started.AddDays(-1), null, null), TaskMatcher.Key("Write the runbook")),
    ];

    private static bool Achieves(string task, string achievement) => achievement.Contains("fan", StringComparison.Ordinal) && task.Contains("fan", StringComparison.Ordinal);

    [Fact]
    public void A_handoff_counts_at_its_sessions_end_and_for_the_hours_it_lasted()
    {
        var fold = KnowledgeFold.Of(Handoff(), 1, [], 1, Achieves);

        fold.At.ShouldBe(Started.AddMinutes(90));
        fold.Hours.ShouldBe(1.5);
        KnowledgeFold.AtOf(Handoff() with { EndedAt = null }).ShouldBe(Started.AddHours(3), "without an end, when it was stored");
        KnowledgeFold.Of(Handoff() with { StartedAt = null }, 1, [], 1, Achieves).Hours.ShouldBe(0);
    }

    [Fact]
    public void Decisions_take_the_next_numbers_in_order()
    {
        var fold = KnowledgeFold.Of(Handoff(), 7, [], 1, Achieves);

        fold.Decisions.Select(d => (d.Id, d.Decision, d.Status, d.HandoffId)).ShouldBe([("decision-007", "Keep SQLite", "active", "hof_2"), ("decision-008", "Add PostgreSQL later", "active", "hof_2")]);
    }

    [Fact]
    public void Insights_and_lessons_are_kept_once_each_by_their_key()
    {
        var fold = KnowledgeFold.Of(Handoff(), 1, [], 1, Achieves);

        fold.Insights.Select(i => (i.Text, i.Kind)).ShouldBe([("Thermal paste is fine", "insight"), ("Check the fan first", "lesson")]);
    }

    [Fact]
    public void Achievements_close_the_work_they_report_done_and_next_steps_open_only_what_is_not_open()
    {
        var fold = KnowledgeFold.Of(Handoff(), 1, Open, 6, Achieves);

        fold.Closed.ShouldBe([Open[0].Work with { Status = PendingStatus.Done, ClosedAt = fold.At, ClosedBy = "hof_2" }]);
        fold.Opened.Select(o => (o.Work.Id, o.Work.Task, o.Work.Priority, o.Work.OpenedAt)).ShouldBe([("task-006", "Stress test gpu-01", "high", fold.At)],
            "the runbook is open already and a blank step opens nothing");
        fold.Receipt.Opened.Select(w => w.Id).ShouldBe(["task-006"]);
        fold.Receipt.Closed.Select(w => w.Id).ShouldBe(["task-004"]);
        fold.Receipt.Decisions.Count.ShouldBe(2);
    }

    [Fact]
    public void Architecture_and_code_entries_are_recorded_as_given()
    {
        var fold = KnowledgeFold.Of(Handoff(), 1, [], 1, Achieves);

        fold.Architecture.Select(a => (a.Component, a.Value.GetString())).ShouldBe([("db", "sqlite")]);
        fold.Code.Select(c => c.Path).ShouldContain("src/fan.sh");
    }
}
