using System.Text.Json;
using System.Text.Json.Nodes;
using Continuum.Json;

namespace Continuum.Core.Tests;

public sealed class JsonMergeTests
{
    // The examples of RFC 7386, appendix A.
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"a":"foo"}""", "null", "null")]
    [InlineData("""{"a":"foo"}""", "\"bar\"", "\"bar\"")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Apply_follows_the_examples_of_rfc_7386(string target, string patch, string expected)
    {
        var merged = JsonMerge.Apply(Parse(target), Parse(patch));

        JsonNode.DeepEquals(JsonNode.Parse(merged.GetRawText()), JsonNode.Parse(expected))
            .ShouldBeTrue($"merging {patch} into {target} gave {merged.GetRawText()}, expected {expected}");
    }

    [Fact]
    public void A_null_member_removes_only_that_key_and_keeps_its_siblings()
    {
        var state = Parse("""{"gpu":"gpu-3","temp":82,"fan":{"rpm":1200,"clogged":true}}""");

        var merged = JsonMerge.Apply(state, Parse("""{"temp":null,"fan":{"clogged":null}}"""));

        merged.GetRawText().ShouldBe("""{"gpu":"gpu-3","fan":{"rpm":1200}}""");
    }

    [Fact]
    public void Nested_objects_merge_member_by_member_across_several_levels()
    {
        var target = Parse("""{"ui":{"theme":{"mode":"dark","accent":"blue"},"lang":"en"},"tz":"UTC"}""");

        var merged = JsonMerge.Apply(target, Parse("""{"ui":{"theme":{"accent":"green","font":"mono"}}}"""));

        JsonNode.DeepEquals(
            JsonNode.Parse(merged.GetRawText()),
            JsonNode.Parse("""{"ui":{"theme":{"mode":"dark","accent":"green","font":"mono"},"lang":"en"},"tz":"UTC"}"""))
            .ShouldBeTrue(merged.GetRawText());
    }

    [Fact]
    public void An_empty_patch_leaves_the_target_as_it_was()
    {
        var target = Parse("""{"a":1,"b":[1,2,3],"c":{"d":null}}""");

        var merged = JsonMerge.Apply(target, Parse("{}"));

        JsonNode.DeepEquals(JsonNode.Parse(merged.GetRawText()), JsonNode.Parse(target.GetRawText())).ShouldBeTrue();
    }

    [Fact]
    public void Apply_does_not_change_the_target_it_was_given()
    {
        var target = Parse("""{"keep":{"x":1},"drop":true}""");
        var before = target.GetRawText();

        var merged = JsonMerge.Apply(target, Parse("""{"keep":{"x":2},"drop":null}"""));

        target.GetRawText().ShouldBe(before);
        merged.GetRawText().ShouldBe("""{"keep":{"x":2}}""");
    }

    [Fact]
    public void Applying_the_same_patch_twice_gives_the_same_result_as_once()
    {
        var target = Parse("""{"a":{"b":1},"c":2}""");
        var patch = Parse("""{"a":{"b":null,"e":[1]},"c":null,"f":"g"}""");

        var once = JsonMerge.Apply(target, patch);
        var twice = JsonMerge.Apply(once, patch);

        twice.GetRawText().ShouldBe(once.GetRawText());
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
