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
}
