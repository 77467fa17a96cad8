using System.Net;
using System.Text.Json.Nodes;

namespace Continuum.Server.Tests.Api;

/// <summary>An HTTP answer: status, media type and body.</summary>
public sealed record Reply(HttpStatusCode Status, string? MediaType, string Text)
{
    /// <summary>The body as a JSON object (fails the test when it is not one).</summary>
    public JsonObject Json => (JsonNode.Parse(Text) ?? throw new ShouldAssertException($"Expected a JSON object, got '{Text}'.")).AsObject();

    /// <summary>Asserts the answer is a problem document with <paramref name="status"/> and returns its <c>type</c>.</summary>
    public string ShouldBeProblem(HttpStatusCode status)
    {
        Status.ShouldBe(status, Text);
        MediaType.ShouldBe("application/problem+json", Text);
        var problem = Json;
        ((int)problem["status"]!).ShouldBe((int)status);
        var type = (string?)problem["type"];
        type.ShouldNotBeNullOrWhiteSpace();
        ((string?)problem["title"]).ShouldNotBeNullOrWhiteSpace();
        return type!;
    }
}
