using System.Text.Json;
using Continuum.Handoffs;
using Continuum.Tokens;

namespace Continuum.Core.Tests.Handoffs;

public sealed class BriefingTests
{
    private static readonly DateTimeOffset Now = new(2025, 11, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Briefings_of_random_projects_never_exceed_their_budget()
    {
        var random = new Random(20251120);
        var tokens = new EstimatingTokenCounter();
        for (var run = 0; run < 300; run++)
        {
            var knowledge = RandomKnowledge(random);
            var budget = random.Next(100, 3000);
            var last = new Handoff { Id = "hof_x", Project = "p", Goal = Words(random, 30), Notes = Words(random, random.Next(0, 400)), Achievements = [Words(random, 12)], CreatedAt = Now };

            var briefing = HandoffMarkdown.Brief(knowledge, last, last, budget, tokens);

            briefing.Tokens.ShouldBe(tokens.Count(briefing.Markdown));
            briefing.Tokens.ShouldBeLessThanOrEqualTo(budget, $"run {run}");
            briefing.Markdown.ShouldStartWith("# Briefing: p");
        }
    }

    [Fact]
    public void Open_high_priority_work_comes_before_medium_and_low_and_before_decisions()
    {
        var knowledge = new KnowledgeBase
        {
            Project = "p",
            AsOf = Now,
            TotalHandoffs = 1,
            Decisions = [new KnowledgeDecision("decision-001", Now, "Use SQLite", null, null, "active", "hof_1")],
            PendingWork =
            [
                new PendingWork("task-001", "Low thing", "low", PendingStatus.Open, Now, null, null),
                new PendingWork("task-002", "Urgent thing", "high", PendingStatus.Open, Now, null, null),
                new PendingWork("task-003", "Finished thing", "high", PendingStatus.Done, Now, Now, "hof_1"),
            ],
        };

        var markdown = HandoffMarkdown.Brief(knowledge, null, null, 2000, new EstimatingTokenCounter()).Markdown;

        markdown.IndexOf("Urgent thing", StringComparison.Ordinal).ShouldBeLessThan(markdown.IndexOf("Low thing", StringComparison.Ordinal));
        markdown.IndexOf("Low thing", StringComparison.Ordinal).ShouldBeLessThan(markdown.IndexOf("Use SQLite", StringComparison.Ordinal));
        var open = markdown[..markdown.IndexOf("## Recent decisions", StringComparison.Ordinal)];
        open.ShouldNotContain("Finished thing");
    }

    [Theory]
    [InlineData("Deploy sovereign dashboard", "Deployed the sovereign dashboard behind nginx", true)]
    [InlineData("Set up revenue tracking", "Revenue tracking is set up and running", true)]
    [InlineData("Deploy sovereign dashboard", "Wrote the revenue report", false)]
    [InlineData("Add login to the dashboard", "Deployed the dashboard", false)]
    public void An_achievement_closes_the_task_it_reports(string task, string achievement, bool closes) =>
        TaskMatcher.Achieves(task, achievement).ShouldBe(closes);

    private static KnowledgeBase RandomKnowledge(Random random) => new()
    {
        Project = "p",
        AsOf = Now,
        TotalHandoffs = random.Next(1, 500),
        TotalHours = random.NextDouble() * 100,
        LastUpdated = Now,
        Decisions = [.. Enumerable.Range(1, random.Next(0, 60)).Select(i => new KnowledgeDecision($"decision-{i:000}", Now, Words(random, random.Next(1, 80)), random.Next(2) == 0 ? null : Words(random, 20), null, "active", "hof"))],
        Insights = [.. Enumerable.Range(1, random.Next(0, 40)).Select(i => new KnowledgeInsight(Words(random, random.Next(1, 50)), "insight", Now, random.Next(1, 5)))],
        PendingWork = [.. Enumerable.Range(1, random.Next(0, 60)).Select(i => new PendingWork($"task-{i:000}", Words(random, random.Next(1, 40)), Priorities.All[random.Next(3)], random.Next(4) == 0 ? PendingStatus.Done : PendingStatus.Open, Now, null, null))],
        Architecture = Enumerable.Range(1, random.Next(0, 10)).ToDictionary(i => $"component-{i}", i => JsonSerializer.SerializeToElement(new { status = Words(random, 5) })),
        Code = [.. Enumerable.Range(1, random.Next(0, 30)).Select(i => new CodeEntry($"/src/file{i}.cs", random.Next(2) == 0 ? null : Words(random, 8), Now))],
    };

    private static string Words(Random random, int count) =>
        string.Join(' ', Enumerable.Range(0, Math.Max(1, count)).Select(_ => new string('x', random.Next(1, 12)) + (random.Next(10) == 0 ? "\n" : "")));
}
