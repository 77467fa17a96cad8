using Continuum.Tokens;

namespace Continuum.Core.Tests;

public sealed class EstimatingTokenCounterTests
{
    private readonly EstimatingTokenCounter _counter = new();

    [Theory]
    [InlineData("", 0)]
    [InlineData("a", 1)]
    [InlineData("abcd", 1)]
    [InlineData("abcde", 2)]
    [InlineData("The GPU temp on gpu-3 is 82C.", 8)]
    public void It_counts_one_token_per_four_characters_rounded_up(string text, int expected)
    {
        _counter.Count(text).ShouldBe(expected);
    }

    [Fact]
    public void A_long_text_is_counted_without_overflow()
    {
        _counter.Count(new string('x', 4_000_000)).ShouldBe(1_000_000);
    }

    [Fact]
    public void The_count_never_decreases_as_text_grows()
    {
        var previous = 0;
        for (var length = 0; length < 200; length++)
        {
            var count = _counter.Count(new string('w', length));
            count.ShouldBeGreaterThanOrEqualTo(previous);
            previous = count;
        }
    }

    [Fact]
    public void It_names_itself_and_refuses_null()
    {
        _counter.Name.ShouldBe("estimate");
        Should.Throw<ArgumentNullException>(() => _counter.Count(null!));
    }
}
