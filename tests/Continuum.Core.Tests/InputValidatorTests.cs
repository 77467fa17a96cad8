using System.Text.Json;
using Continuum.Errors;
using Continuum.Validation;

namespace Continuum.Core.Tests;

public sealed class InputValidatorTests
{
    [Theory]
    [InlineData("telegram")]
    [InlineData("web")]
    [InlineData("cli")]
    [InlineData("my-bot_2")]
    [InlineData("a")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void Interface_accepts_lower_case_names_starting_with_a_letter(string name)
    {
        InputValidator.Interface(name).ShouldBe(name);
    }

    [Theory]
    [InlineData("Telegram")]
    [InlineData("1web")]
    [InlineData("-web")]
    [InlineData("web chat")]
    [InlineData("web.chat")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("télégram")]
    public void Interface_refuses_other_names_with_a_400_on_the_interface_field(string name)
    {
        var error = Should.Throw<ValidationException>(() => InputValidator.Interface(name));

        error.StatusCode.ShouldBe(400);
        error.ErrorType.ShouldBe("validation");
        error.Errors.Keys.ShouldBe(["interface"]);
        error.Errors["interface"][0].ShouldContain("lower-case");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Interface_is_required(string? name)
    {
        var error = Should.Throw<ValidationException>(() => InputValidator.Interface(name, "identity.interface"));

        error.Errors["identity.interface"].ShouldBe(["is required."]);
    }

    [Fact]
    public void Identifier_accepts_up_to_256_characters()
    {
        var longest = new string('x', InputValidator.MaxIdentifierLength);

        InputValidator.Identifier(longest, "externalUserId").ShouldBe(longest);
        InputValidator.Identifier("tg:12345 chat", "externalUserId").ShouldBe("tg:12345 chat");
    }

    [Fact]
    public void Identifier_refuses_more_than_256_characters()
    {
        var error = Should.Throw<ValidationException>(() => InputValidator.Identifier(new string('x', 257), "externalUserId"));

        error.Errors["externalUserId"][0].ShouldContain("256");
    }

    [Theory]
    [InlineData(null, "is required.")]
    [InlineData("", "is required.")]
    [InlineData("line\nbreak", "control characters")]
    [InlineData("nul\0byte", "control characters")]
    [InlineData(" leading", "leading or trailing spaces")]
    [InlineData("trailing ", "leading or trailing spaces")]
    public void Identifier_refuses_missing_values_control_characters_and_padding(string? value, string problem)
    {
        var error = Should.Throw<ValidationException>(() => InputValidator.Identifier(value, "userId"));

        error.Errors["userId"][0].ShouldContain(problem);
    }

    [Fact]
    public void OptionalIdentifier_passes_null_through_but_not_an_empty_string()
    {
        InputValidator.OptionalIdentifier(null, "interfaceId").ShouldBeNull();
        Should.Throw<ValidationException>(() => InputValidator.OptionalIdentifier("", "interfaceId"))
            .Errors.Keys.ShouldBe(["interfaceId"]);
    }

    [Fact]
    public void Title_allows_500_characters_and_no_more()
    {
        InputValidator.Title(null).ShouldBeNull();
        InputValidator.Title(new string('t', 500)).ShouldNotBeNull();
        Should.Throw<ValidationException>(() => InputValidator.Title(new string('t', 501))).Errors.Keys.ShouldBe(["title"]);
    }

    [Fact]
    public void OneOf_gives_the_fallback_for_a_missing_value_and_refuses_unknown_values_listing_the_allowed_ones()
    {
        string[] modes = ["resume", "new"];

        InputValidator.OneOf(null, modes, "mode", "resume").ShouldBe("resume");
        InputValidator.OneOf("new", modes, "mode", "resume").ShouldBe("new");
        var error = Should.Throw<ValidationException>(() => InputValidator.OneOf("sideways", modes, "mode", "resume"));
        error.Errors["mode"][0].ShouldBe("must be one of: resume, new.");
    }

    [Fact]
    public void OneOf_without_a_fallback_requires_a_value_and_is_case_sensitive()
    {
        string[] roles = ["user", "assistant"];

        Should.Throw<ValidationException>(() => InputValidator.OneOf(null, roles, "role"));
        Should.Throw<ValidationException>(() => InputValidator.OneOf("User", roles, "role"));
    }

    [Fact]
    public void Content_up_to_the_limit_is_accepted()
    {
        var limit = 256 * 1024;
        var content = new string('a', limit);

        InputValidator.Content(content, limit).ShouldBeSameAs(content);
        InputValidator.Content("", limit).ShouldBe("");
    }

    [Fact]
    public void Content_over_the_limit_is_a_413_naming_the_field_and_the_sizes()
    {
        var limit = 256 * 1024;

        var error = Should.Throw<PayloadTooLargeException>(() => InputValidator.Content(new string('a', limit + 1), limit, "events[3].content"));

        error.StatusCode.ShouldBe(413);
        error.ErrorType.ShouldBe("payload-too-large");
        error.Field.ShouldBe("events[3].content");
        error.Message.ShouldContain((limit + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        error.Message.ShouldContain(limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Content_is_measured_in_utf8_bytes_not_characters()
    {
        // 100 characters, 200 bytes: under a 150-character limit but over a 150-byte one.
        var accented = new string('é', 100);

        var error = Should.Throw<PayloadTooLargeException>(() => InputValidator.Content(accented, 150));

        error.Message.ShouldContain("200 bytes");
        InputValidator.Content(accented, 200).ShouldBe(accented);
    }

    [Fact]
    public void Content_is_required()
    {
        Should.Throw<ValidationException>(() => InputValidator.Content(null, 100)).Errors.Keys.ShouldBe(["content"]);
    }

    [Fact]
    public void JsonObject_returns_the_raw_text_of_an_object_and_null_for_absent_or_json_null()
    {
        InputValidator.JsonObject(Json("""{"model":"gpt","latencyMs":120}"""), 1024, "metadata").ShouldBe("""{"model":"gpt","latencyMs":120}""");
        InputValidator.JsonObject(null, 1024, "metadata").ShouldBeNull();
        InputValidator.JsonObject(Json("null"), 1024, "metadata").ShouldBeNull();
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("true")]
    public void JsonObject_refuses_anything_but_an_object(string json)
    {
        var error = Should.Throw<ValidationException>(() => InputValidator.JsonObject(Json(json), 1024, "state"));

        error.Errors["state"].ShouldBe(["must be a JSON object."]);
    }

    [Fact]
    public void JsonObject_over_the_limit_is_a_413()
    {
        var big = Json($$"""{"blob":"{{new string('x', 64 * 1024)}}"}""");

        var error = Should.Throw<PayloadTooLargeException>(() => InputValidator.JsonObject(big, 64 * 1024, "metadata"));

        error.Field.ShouldBe("metadata");
        error.StatusCode.ShouldBe(413);
    }

    [Fact]
    public void Range_accepts_its_bounds_and_refuses_values_outside()
    {
        InputValidator.Range(1, 1, 500, "limit").ShouldBe(1);
        InputValidator.Range(500, 1, 500, "limit").ShouldBe(500);
        Should.Throw<ValidationException>(() => InputValidator.Range(0, 1, 500, "limit")).Errors["limit"][0].ShouldBe("must be between 1 and 500.");
        Should.Throw<ValidationException>(() => InputValidator.Range(501L, 1L, 500L, "limit"));
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
