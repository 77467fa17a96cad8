using Continuum.Context;
using Continuum.Tokens;

namespace Continuum.Core.Tests.Context;

public sealed class ExtractiveSummarizerTests
{
    private readonly ExtractiveSummarizer _summarizer = new(new RuleEntityExtractor(), new EstimatingTokenCounter());

    private static SummarySource User(string text) => new("user", text, "telegram", "message");

    private static SummarySource Assistant(string text) => new("assistant", text, "telegram", "message");

    [Fact]
    public async Task It_keeps_names_hosts_numbers_decisions_instructions_and_questions_over_small_talk()
    {
        List<SummarySource> items =
        [
            User("Hi there!"),
            Assistant("Hello, how can I help you today?"),
            User("The GPU on gpu-3 reads 82C under load."),
            Assistant("That is thermal throttling. Restart gateway, then wait 30s."),
            User("Ok cool."),
            User("We decided to replace the fan on rack B7 on Friday."),
            User("Should we also order a spare for gpu-4?"),
            Assistant("Sure thing, sounds good to me."),
        ];

        var summary = await _summarizer.SummarizeAsync(items, 60, CancellationToken.None);

        summary.ShouldContain("82C");
        summary.ShouldContain("Restart gateway, then wait 30s");
        summary.ShouldContain("replace the fan");
        summary.ShouldContain("gpu-4?");
        summary.ShouldNotContain("Hi there");
        summary.ShouldNotContain("Ok cool");
    }

    [Fact]
    public async Task It_stays_within_its_token_limit_and_keeps_the_original_order()
    {
        var items = Enumerable.Range(0, 200).Select(i => User($"Host node-{i} reports {i}% disk use; we decided to rotate logs on node-{i}.")).ToList();
        var counter = new EstimatingTokenCounter();

        var summary = await _summarizer.SummarizeAsync(items, 100, CancellationToken.None);

        counter.Count(summary).ShouldBeLessThanOrEqualTo(100);
        var numbers = summary.Split('\n').Select(line => int.Parse(line.Split("node-")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        numbers.ShouldBeInOrder(SortDirection.Ascending);
    }

    [Fact]
    public async Task Each_line_says_who_said_it()
    {
        var summary = await _summarizer.SummarizeAsync([Assistant("The root cause was a clogged fan on gpu-3.")], 50, CancellationToken.None);
        summary.ShouldStartWith("- assistant: The root cause");
    }
}
