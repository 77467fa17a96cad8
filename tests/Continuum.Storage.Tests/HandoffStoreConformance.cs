using Continuum.Handoffs;

namespace Continuum.Storage.Tests;

/// <summary>What every handoff store must do: fold handoffs into the knowledge base and read it as of a time.</summary>
public abstract partial class StoreConformanceTests
{
    private static bool ReportsDone(string task, string achievement) =>
        TaskMatcher.Key(achievement).Contains(TaskMatcher.Key(task), StringComparison.Ordinal);

    private static Handoff NewHandoff(string id, string project, DateTimeOffset endedAt) => new()
    {
        Id = id,
        Project = project,
        StartedAt = endedAt.AddHours(-2),
        EndedAt = endedAt,
        CreatedAt = endedAt.AddMinutes(1),
    };

    [Fact]
    public async Task Handoffs_number_their_decisions_and_tasks_in_order_across_handoffs_of_a_project()
    {
        var first = await Handoffs.AddAsync(Tenant, NewHandoff("hof_1", "infra", T0) with
        {
            Decisions = [new HandoffDecision("Keep SQLite"), new HandoffDecision("Pin the SDK")],
            NextSteps = [new NextStep("Stress test gpu-01", "high")],
        }, ReportsDone, Ct);
        var second = await Handoffs.AddAsync(Tenant, NewHandoff("hof_2", "infra", T0.AddDays(1)) with
        {
            Decisions = [new HandoffDecision("Add PostgreSQL")],
            NextSteps = [new NextStep("Write the runbook")],
        }, ReportsDone, Ct);
        var elsewhere = await Handoffs.AddAsync(Tenant, NewHandoff("hof_3", "web", T0) with { Decisions = [new HandoffDecision("Use htmx")] }, ReportsDone, Ct);

        first.Decisions.Select(d => d.Id).ShouldBe(["decision-001", "decision-002"]);
        second.Decisions.Select(d => d.Id).ShouldBe(["decision-003"]);
        second.Opened.Select(w => w.Id).ShouldBe(["task-002"]);
        elsewhere.Decisions.Select(d => d.Id).ShouldBe(["decision-001"], "each project numbers its own");
    }

    [Fact]
    public async Task An_achievement_closes_the_open_task_it_reports_done_and_an_open_task_is_not_opened_twice()
    {
        await Handoffs.AddAsync(Tenant, NewHandoff("hof_1", "infra", T0) with { NextSteps = [new NextStep("Stress test gpu-01", "high"), new NextStep("Write the runbook")] }, ReportsDone, Ct);

        var receipt = await Handoffs.AddAsync(Tenant, NewHandoff("hof_2", "infra", T0.AddDays(1)) with
        {
            Achievements = ["Finished: stress test gpu-01, it holds 61C"],
            NextSteps = [new NextStep("Write the runbook"), new NextStep("Order spare fans", "low")],
        }, ReportsDone, Ct);

        receipt.Closed.Select(w => (w.Id, w.Status, w.ClosedBy)).ShouldBe([("task-001", PendingStatus.Done, "hof_2")]);
        receipt.Opened.Select(w => (w.Id, w.Task)).ShouldBe([("task-003", "Order spare fans")]);
        var now = await Handoffs.GetKnowledgeAsync(Tenant, "infra", T0.AddDays(2), null, Ct);
        now.PendingWork.Select(w => (w.Id, w.Status)).ShouldBe([("task-001", PendingStatus.Done), ("task-002", PendingStatus.Open), ("task-003", PendingStatus.Open)]);
        now.TotalHandoffs.ShouldBe(2);
        now.TotalHours.ShouldBe(4);
    }

    [Fact]
    public async Task The_knowledge_base_as_of_a_time_holds_only_what_was_known_then()
    {
        await Handoffs.AddAsync(Tenant, NewHandoff("hof_1", "infra", T0) with
        {
            Decisions = [new HandoffDecision("Keep SQLite")],
            Insights = ["Thermal paste is fine"],
            NextSteps = [new NextStep("Stress test gpu-01")],
            Architecture = new Dictionary<string, System.Text.Json.JsonElement> { ["db"] = Json("\"sqlite\"") },
            CodeCreated = ["src/fan.sh"],
        }, ReportsDone, Ct);
        await Handoffs.AddAsync(Tenant, NewHandoff("hof_2", "infra", T0.AddDays(1)) with
        {
            Achievements = ["Done: stress test gpu-01"],
            Insights = ["thermal paste is FINE", "Fans fail first"],
            Architecture = new Dictionary<string, System.Text.Json.JsonElement> { ["db"] = Json("\"postgres\"") },
        }, ReportsDone, Ct);

        var then = await Handoffs.GetKnowledgeAsync(Tenant, "infra", T0.AddHours(1), null, Ct);
        var now = await Handoffs.GetKnowledgeAsync(Tenant, "infra", T0.AddDays(2), null, Ct);

        then.Decisions.Select(d => d.Decision).ShouldBe(["Keep SQLite"]);
        then.PendingWork.Single().Status.ShouldBe(PendingStatus.Open, "it was closed only later");
        then.Architecture["db"].GetString().ShouldBe("sqlite");
        then.Insights.Select(i => i.Text).ShouldBe(["Thermal paste is fine"]);
        now.PendingWork.Single().Status.ShouldBe(PendingStatus.Done);
        now.Architecture["db"].GetString().ShouldBe("postgres", "the latest value wins");
        now.Insights.Select(i => (i.Text, i.Mentions)).ShouldBe([("Thermal paste is fine", 2), ("Fans fail first", 1)], "an insight is kept once and counted by mention");
        now.Code.Select(c => c.Path).ShouldBe(["src/fan.sh"]);
        (await Handoffs.GetLastAsync(Tenant, "infra", T0.AddHours(1), Ct))!.Id.ShouldBe("hof_1");
        (await Handoffs.ListProjectsAsync(Tenant, 10, null, Ct)).ShouldBe(["infra"]);
    }

    [Fact]
    public async Task A_briefing_read_keeps_the_top_items_of_each_part_and_counts_them_all()
    {
        for (var i = 1; i <= 4; i++)
        {
            await Handoffs.AddAsync(Tenant, NewHandoff($"hof_{i}", "infra", T0.AddHours(i)) with { Decisions = [new HandoffDecision($"Decision {i}")] }, ReportsDone, Ct);
        }

        var briefing = await Handoffs.GetKnowledgeAsync(Tenant, "infra", T0.AddDays(1), 2, Ct);

        briefing.Decisions.Select(d => d.Id).ShouldBe(["decision-004", "decision-003"], "newest first");
        briefing.Counts!.Decisions.ShouldBe(4);
    }

    [Fact]
    public async Task Concurrent_handoffs_into_one_project_lose_no_decision_and_repeat_no_number()
    {
        await Task.WhenAll(Enumerable.Range(1, 8).Select(i => Handoffs.AddAsync(Tenant,
            NewHandoff($"hof_{i}", "infra", T0.AddMinutes(i)) with { Decisions = [new HandoffDecision($"D{i}a"), new HandoffDecision($"D{i}b")] }, ReportsDone, Ct)));

        var knowledge = await Handoffs.GetKnowledgeAsync(Tenant, "infra", T0.AddDays(1), null, Ct);

        knowledge.Decisions.Select(d => d.Id).ShouldBe(Enumerable.Range(1, 16).Select(n => KnowledgeIds.Decision(n)));
    }
}
