using System.Text.Json;
using Continuum.Tokens;

namespace Continuum.Core.Tests.Tokens;

public sealed class BpeEncodingTests
{
    public static TheoryData<string> Encodings => [BpeEncoding.O200kBase, BpeEncoding.Cl100kBase];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Every_reference_case_encodes_to_the_same_tokens_as_tiktoken(string name)
    {
        var encoding = BpeEncoding.Get(name);
        var failures = new List<string>();
        var cases = Reference();
        foreach (var c in cases)
        {
            var text = c.GetProperty("text").GetString()!;
            var expected = c.GetProperty(name).EnumerateArray().Select(t => t.GetInt32()).ToList();
            var actual = encoding.Encode(text);
            if (!actual.SequenceEqual(expected))
            {
                failures.Add($"'{Clip(text)}': expected [{string.Join(",", expected.Take(20))}], got [{string.Join(",", actual.Take(20))}]");
            }
            else if (encoding.Count(text) != expected.Count)
            {
                failures.Add($"'{Clip(text)}': count {encoding.Count(text)}, expected {expected.Count}");
            }
        }

        cases.Count.ShouldBeGreaterThan(100);
        failures.ShouldBeEmpty();
    }

    [Fact]
    public void Hello_world_has_the_published_token_ids()
    {
        BpeEncoding.Get(BpeEncoding.O200kBase).Encode("hello world").ShouldBe([24912, 2375]);
        BpeEncoding.Get(BpeEncoding.Cl100kBase).Encode("hello world").ShouldBe([15339, 1917]);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Decoding_gives_back_the_text(string name)
    {
        var encoding = BpeEncoding.Get(name);
        foreach (var text in new[] { "GPU temp is 82C 🎉 日本語", "  spaces\n\nand lines\t", "naïve café", "" })
        {
            encoding.Decode(encoding.Encode(text)).ShouldBe(text);
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Text_counted_line_by_line_from_the_cache_counts_what_its_tokens_are(string name)
    {
        var encoding = BpeEncoding.Get(name);
        string[] texts =
        [
            "Conversation:\nuser (api): what did Alice say?\nassistant (api): She said yes.\nuser (api): and the budget...\nassistant (api): It holds  \nuser (web): ok",
            "lines ending in punctuation?\nthen letters!\r\nCRLF and letters\n\n\nblank lines first\n  indented line\n42 starts with a digit\n/slash\nend",
            "non-Latin letters after a break\n日本語の行\nÉcole\n🎉 emoji line\n'quoted' line\n's contraction at the start\nthe end\n",
            "What is remembered about the user:\n- (note) likes tea\n- (fact) lives in Berlin\n\nSummary of the earlier conversation:\nThey planned a trip.",
        ];
        foreach (var text in texts)
        {
            var expected = encoding.Encode(text).Count;

            encoding.Count(text).ShouldBe(expected, text);
            encoding.Count(text).ShouldBe(expected, "counted again, from the cache: " + text);
            encoding.Count(text + "\nmore after it").ShouldBe(encoding.Encode(text + "\nmore after it").Count);
        }
    }

    [Fact]
    public void A_long_piece_without_merges_is_counted_quickly_and_exactly()
    {
        // 200,000 bytes in one pre-token: a quadratic merge would take minutes.
        var text = string.Concat(Enumerable.Repeat("qzxj", 50_000));
        var encoding = BpeEncoding.Get(BpeEncoding.O200kBase);

        var count = encoding.Count(text);

        count.ShouldBe(encoding.Encode(text).Count);
        encoding.Decode(encoding.Encode(text)).ShouldBe(text);
        count.ShouldBeLessThan(text.Length);
    }

    [Theory]
    [InlineData(null, "o200k_base")]
    [InlineData("cl100k_base", "cl100k_base")]
    [InlineData("ESTIMATE", "estimate")]
    public void The_configured_tokenizer_is_the_one_used(string? setting, string expected) =>
        BpeTokenCounter.Create(setting).Name.ShouldBe(expected);

    [Fact]
    public void An_unknown_encoding_falls_back_to_the_estimate_and_says_so()
    {
        Exception? reported = null;
        var counter = BpeTokenCounter.Create("p50k_base", ex => reported = ex);

        counter.ShouldBeOfType<EstimatingTokenCounter>();
        reported.ShouldNotBeNull();
    }

    [Fact]
    public void Javascript_whitespace_is_spelled_out_for_the_dotnet_regex()
    {
        var translated = BpeEncoding.Translate(@"[^\s\p{L}]+|\s+(?!\S)|\s+");
        translated.ShouldNotContain(@"\s");
        translated.ShouldNotContain(@"\S");
        translated.ShouldContain(@"\ufeff");
    }

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static List<JsonElement> Reference()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Tokens", "reference-encodings.json")));
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone())];
    }
}
