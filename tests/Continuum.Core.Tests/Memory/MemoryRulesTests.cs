using Continuum.Memory;

namespace Continuum.Core.Tests.Memory;

public sealed class MemoryRulesTests
{
    [Theory]
    [InlineData("GPU temp is 82C", "gpu temp")]
    [InlineData("After the fan fix, the GPU temperature is 61 °C", "gpu temperature")]
    [InlineData("after the fan fix it is 61C", "it")]
    [InlineData("My favourite editor is Helix", "favourite editor")]
    [InlineData("Alice lives in Berlin", "alice")]
    [InlineData("Deploy every Friday", null)]
    public void The_subject_is_the_phrase_before_the_verb(string content, string? subject) =>
        MemoryRules.Subject(content).ShouldBe(subject);

    [Theory]
    [InlineData("GPU temp is 82C", "c")]
    [InlineData("it is 61 °C", "c")]
    [InlineData("Disk usage is 91%", "%")]
    [InlineData("The cluster has 12 nodes", "nodes")]
    [InlineData("The printer is on floor 3", "")]
    [InlineData("The sky is blue", null)]
    public void The_unit_is_that_of_the_first_quantity(string content, string? unit) =>
        MemoryRules.Unit(content).ShouldBe(unit);

    [Fact]
    public void A_pronoun_refers_to_the_newest_fact_with_the_same_unit()
    {
        var now = DateTimeOffset.UtcNow;
        MemoryItem Fact(string id, string content, int minutesAgo) => new()
        {
            Id = id,
            UserId = "u",
            Kind = MemoryKind.Fact,
            Content = content,
            Subject = MemoryRules.Subject(content),
            ValidFrom = now.AddMinutes(-minutesAgo),
            CreatedAt = now,
            UpdatedAt = now,
        };

        var current = new[] { Fact("gpu", "GPU temp is 82C", 10), Fact("disk", "Disk usage is 91%", 5) };
        var decision = MemoryRules.Decide(Fact("new", "after the fan fix it is 61C", 0) with { Subject = null }, current);
        decision.Supersede.ShouldBe(["gpu"]);
        decision.Subject.ShouldBe("gpu temp");
        decision.MergeInto.ShouldBeNull();
    }

    [Fact]
    public void Near_duplicates_merge_and_different_values_do_not()
    {
        MemoryRules.Similarity("Prefers dark mode in the editor", "The user prefers dark mode in the editor.").ShouldBeGreaterThanOrEqualTo(MemoryRules.DuplicateSimilarity);
        MemoryRules.Similarity("GPU temp is 82C", "GPU temp is 61C").ShouldBeLessThan(MemoryRules.DuplicateSimilarity);
        MemoryRules.Similarity("Prefers answers in German", "Prefers dark mode in the editor").ShouldBeLessThan(0.5);
    }

    [Theory]
    [InlineData("I live in Lisbon", "I live in Oslo")]
    [InlineData("Caroline said she lives in Lisbon with her two cats and a dog", "Caroline said she lives in Oslo with her two cats and a dog")]
    [InlineData("The team standup is at 9:30 every day", "The team standup is at 10:15 every day")]
    [InlineData("The release is planned for March 2025", "The release is planned for June 2025")]
    [InlineData("Our account manager is Priya Shah", "Our account manager is Tom Berg")]
    [InlineData("The dentist appointment is on Monday morning", "The dentist appointment is on Thursday morning")]
    public void A_near_duplicate_that_states_another_value_changes_it(string older, string newer)
    {
        MemoryRules.ChangesValue(older, newer).ShouldBeTrue();

        var now = DateTimeOffset.UtcNow;
        var decision = MemoryRules.Decide(Item("new", MemoryKind.Note, newer, now), [Item("old", MemoryKind.Note, older, now.AddDays(-3))]);
        decision.MergeInto.ShouldBeNull();
        decision.Supersede.ShouldBe(["old"]);

        var fact = MemoryRules.Decide(Item("new", MemoryKind.Fact, newer, now), [Item("old", MemoryKind.Fact, older, now.AddDays(-3))]);
        fact.MergeInto.ShouldBeNull();
        fact.Supersede.ShouldContain("old");
    }

    [Theory]
    [InlineData("I live in Oslo", "I live in Oslo")]
    [InlineData("I live in Oslo", "We live in Oslo")]
    [InlineData("Caroline lives in Oslo with her two cats", "Caroline lives in Oslo with her two cats and a dog")]
    [InlineData("Prefers dark mode in the editor", "The user prefers dark mode in the editor.")]
    [InlineData("The standup is at 9:30 in room Fjord", "The standup is at 9:30 in room Fjord daily")]
    public void A_true_restatement_still_merges(string older, string newer)
    {
        MemoryRules.ChangesValue(older, newer).ShouldBeFalse();

        var now = DateTimeOffset.UtcNow;
        var decision = MemoryRules.Decide(Item("new", MemoryKind.Note, newer, now), [Item("old", MemoryKind.Note, older, now.AddDays(-3))]);
        decision.MergeInto.ShouldBe("old");
        decision.Supersede.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("I live in Lisbon", "I love Oslo in winter")]
    [InlineData("Met Priya Shah about the budget", "Tom Berg fixed the printer on floor 3")]
    public void Different_memories_with_values_neither_merge_nor_supersede(string older, string newer)
    {
        MemoryRules.ChangesValue(older, newer).ShouldBeFalse();
        var now = DateTimeOffset.UtcNow;
        var decision = MemoryRules.Decide(Item("new", MemoryKind.Note, newer, now), [Item("old", MemoryKind.Note, older, now.AddDays(-3))]);
        decision.MergeInto.ShouldBeNull();
        decision.Supersede.ShouldBeEmpty();
    }

    [Fact]
    public void An_older_statement_written_later_does_not_close_the_newer_value()
    {
        var now = DateTimeOffset.UtcNow;
        var decision = MemoryRules.Decide(Item("late", MemoryKind.Note, "I live in Lisbon", now.AddDays(-30)), [Item("current", MemoryKind.Note, "I live in Oslo", now)]);
        decision.Supersede.ShouldBeEmpty();
        decision.MergeInto.ShouldBeNull();
    }

    [Theory]
    [InlineData("I moved to Oslo in May", new[] { "oslo", "may" })]
    [InlineData("Call me at 5pm on Friday, may I?", new[] { "5pm", "friday" })]
    [InlineData("The GPU runs at 82.5C.", new[] { "gpu", "82.5c" })]
    [InlineData("Lisbon is lovely. Oslo is cold", new string[0])]
    public void Values_are_numbers_dates_and_names(string text, string[] values) =>
        MemoryRules.Values(text).OrderBy(v => v, StringComparer.Ordinal).ShouldBe(values.OrderBy(v => v, StringComparer.Ordinal));

    private static MemoryItem Item(string id, string kind, string content, DateTimeOffset validFrom) => new()
    {
        Id = id,
        UserId = "u",
        Kind = kind,
        Content = content,
        Subject = kind == MemoryKind.Fact ? MemoryRules.Subject(content) : null,
        ValidFrom = validFrom,
        CreatedAt = validFrom,
        UpdatedAt = validFrom,
    };
}
