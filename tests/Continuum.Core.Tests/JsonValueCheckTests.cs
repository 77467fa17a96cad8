using System.Text.Json;
using Continuum.Errors;
using Continuum.Json;
using Continuum.Validation;

namespace Continuum.Core.Tests;

public sealed class JsonValueCheckTests
{
    [Theory]
    [InlineData("""{ "a": "\ud800" }""", "metadata.a")]
    [InlineData("""{ "a": ["ok", "\udfff"] }""", "metadata.a[1]")]
    [InlineData("""{ "a": { "b": "x\ud83d" } }""", "metadata.a.b")]
    [InlineData("""{ "\ud800": 1 }""", "metadata")]
    [InlineData("""{ "a": 1, "a": 2 }""", "metadata.a")]
    [InlineData("""{ "a": "\u0000" }""", "metadata.a")]
    [InlineData("""{ "a\u0000": 1 }""", "metadata")]
    [InlineData("""{ "a": 1, "\u0061": 2 }""", "metadata.a")]
    [InlineData("""{ "x": { "a": 1, "b": { "a": 2 }, "a": 3 } }""", "metadata.x.a")]
    [InlineData("""{ "k0": 0, "k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 5, "k6": 6, "k7": 7, "k8": 8, "k9": 9, "k10": 10, "k11": 11, "k12": 12, "k13": 13, "k14": 14, "k15": 15, "k16": 16, "k17": 17, "k3": 18 }""", "metadata.k3")]
    [InlineData("""{ "a": "quoted \" and \\ and \n then \udc00" }""", "metadata.a")]
    public void A_value_that_cannot_be_stored_and_read_back_is_a_validation_error_naming_where(string json, string field)
    {
        using var document = JsonDocument.Parse(json);

        var error = Should.Throw<ValidationException>(() => InputValidator.JsonObject(document.RootElement, 64 * 1024, "metadata"));

        error.Errors.Keys.ShouldBe([field]);
    }

    [Theory]
    [InlineData("""{ "a": "\ud83d\ude00", "b": [1, null, true, { "c": "é" }], "d": "plain" }""")]
    [InlineData("""{}""")]
    [InlineData("""{ "a": "line\nbreak \"quoted\" \\ back \u00e9", "b": { "a": 1 }, "c": [{ "a": 1 }, { "a": 2 }], "\u0062b": "escaped name" }""")]
    [InlineData("""{ "k0": 0, "k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 5, "k6": 6, "k7": 7, "k8": 8, "k9": 9, "k10": 10, "k11": 11, "k12": 12, "k13": 13, "k14": 14, "k15": 15, "k16": 16, "k17": 17 }""")]
    public void A_well_formed_value_passes_as_it_is(string json)
    {
        using var document = JsonDocument.Parse(json);

        InputValidator.JsonObject(document.RootElement, 64 * 1024, "metadata").ShouldBe(document.RootElement.GetRawText());
    }

    [Fact]
    public void Text_with_a_lone_surrogate_or_nul_has_a_problem_and_paired_surrogates_do_not()
    {
        JsonValueCheck.TextProblem("a\ud800b").ShouldNotBeNull();
        JsonValueCheck.TextProblem("end\udc00").ShouldNotBeNull();
        JsonValueCheck.TextProblem("a\0b").ShouldNotBeNull();
        JsonValueCheck.TextProblem("smile \ud83d\ude00").ShouldBeNull();
        JsonValueCheck.HasLoneSurrogate("\ud83d").ShouldBeTrue();
        JsonValueCheck.HasLoneSurrogate("\ud83d\ude00").ShouldBeFalse();
    }

    [Fact]
    public void Content_with_a_lone_surrogate_is_a_validation_error()
    {
        Should.Throw<ValidationException>(() => InputValidator.Content("half \ud83d", 1000)).Errors.Keys.ShouldBe(["content"]);
    }
}
