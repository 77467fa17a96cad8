using System.Net;
using System.Text;

namespace Continuum.Server.Tests.Api;

/// <summary>Every error is a problem document with its real status, whatever the client's Accept header lists.</summary>
public sealed class ErrorFormatTests
{
    private const string Problems = "https://continuum.dev/problems/";

    public static TheoryData<string?> Accepts => new() { "text/html", "text/plain", "text/markdown", "application/xml", "*/*", null, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task Every_error_status_is_a_problem_document_whatever_the_accept_header(string? accept)
    {
        await using var server = await ApiServer.StartAsync("--Continuum:Limits:MaxContentBytes", "1000");
        var closed = (string)(await server.OpenSessionAsync("web", "accept-closed"))["id"]!;
        (await server.SendAsync(HttpMethod.Patch, $"api/sessions/{closed}", new { status = "closed" })).Status.ShouldBe(HttpStatusCode.OK);
        var open = (string)(await server.OpenSessionAsync("web", "accept-open"))["id"]!;

        var cases = new (HttpMethod Method, string Path, string? Body, string ContentType, HttpStatusCode Status, string Type)[]
        {
            (HttpMethod.Post, "api/sessions", """{ "interface": """, "application/json", HttpStatusCode.BadRequest, "malformed-request"),
            (HttpMethod.Post, "api/sessions", """{ "interface": "Not An Interface" }""", "application/json", HttpStatusCode.BadRequest, "validation"),
            (HttpMethod.Get, "api/sessions/ses_nope", null, "", HttpStatusCode.NotFound, "not-found"),
            (HttpMethod.Get, "api/handoffs/hof_missing", null, "", HttpStatusCode.NotFound, "not-found"),
            (HttpMethod.Get, "api/no-such-route", null, "", HttpStatusCode.NotFound, "not-found"),
            (HttpMethod.Post, "api/messages/not-a-number/ack", null, "", HttpStatusCode.NotFound, "not-found"),
            (HttpMethod.Post, "api/messages/424242/ack?sessionId=ses_nope", null, "", HttpStatusCode.NotFound, "not-found"),
            (HttpMethod.Post, $"api/sessions/{closed}/events", """{ "content": "late" }""", "application/json", HttpStatusCode.Conflict, "session-closed"),
            (HttpMethod.Post, $"api/sessions/{open}/events", $$"""{ "content": "{{new string('x', 2000)}}" }""", "application/json", HttpStatusCode.RequestEntityTooLarge, "payload-too-large"),
            (HttpMethod.Post, "api/sessions", """{ "interface": "web" }""", "text/plain", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type"),
            (HttpMethod.Post, "api/sessions", """{ "interface": "web" }""", "application/json; charset=bogus", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type"),
            (HttpMethod.Delete, "api/sessions", null, "", HttpStatusCode.MethodNotAllowed, "http-405"),
        };

        foreach (var c in cases)
        {
            var reply = await SendAsync(server, c.Method, c.Path, c.Body, c.ContentType, accept);
            reply.ShouldBeProblem(c.Status).ShouldBe(Problems + c.Type, $"{c.Method} {c.Path} with Accept: {accept}");
        }

        (await server.AllEventsAsync(open)).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_clients_markdown_request_for_a_missing_handoff_is_a_404_problem()
    {
        await using var server = await ApiServer.StartAsync();
        var client = new Continuum.Client.ContinuumClient(server.Http);

        var error = await Should.ThrowAsync<Continuum.Errors.ContinuumException>(() => client.GetHandoffMarkdownAsync("hof_missing"));

        error.StatusCode.ShouldBe(404);
        error.ErrorType.ShouldBe("not-found");
    }

    internal static async Task<Reply> SendAsync(ApiServer server, HttpMethod method, string path, string? body, string contentType, string? accept)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await server.Http.SendAsync(request);
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }
}
