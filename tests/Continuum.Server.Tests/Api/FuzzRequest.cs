using System.Text.Json;
using System.Text.Json.Nodes;

namespace Continuum.Server.Tests.Api;

/// <summary>
/// What the fuzz walks share: the content types and Accept headers a malformed request is sent with, and the rule
/// that an answer is never a 5xx and every 4xx is in the route's own error shape.
/// </summary>
internal static class FuzzRequest
{
    public static readonly string?[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=bogus", "application/json; charset=",
        "application/json; charset=utf-16", "text/plain", "application/xml", "///", null, "application/merge-patch+json",
    ];

    public static readonly string?[] AcceptHeaders = [null, "text/html", "text/plain", "text/markdown", "application/xml", "*/*", "application/json", "image/png;q=0.5", "text/event-stream"];

    /// <summary>Puts <paramref name="body"/> on the request (under a random content type one time in three) and a random Accept header; says what it chose.</summary>
    public static string Dress(HttpRequestMessage request, byte[]? body, Random random)
    {
        var chosen = new List<string>();
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            var contentType = random.Next(3) == 0 ? ContentTypes[random.Next(ContentTypes.Length)] : "application/json";
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            chosen.Add($"as {contentType ?? "no content type"}");
        }

        if (AcceptHeaders[random.Next(AcceptHeaders.Length)] is { } accept)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
            chosen.Add($"Accept {accept}");
        }

        return string.Join(", ", chosen);
    }

    /// <summary>
    /// Sends <paramref name="request"/> and holds its answer to <paramref name="check"/>, adding what fails (or that
    /// no answer came) to <paramref name="failures"/>; returns the status, or null when there was no answer.
    /// </summary>
    public static async Task<int?> SendAsync(HttpClient http, HttpRequestMessage request, string description, Func<HttpResponseMessage, int, string, string?> check, List<string> failures)
    {
        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (check(response, status, body) is { } problem && failures.Count < 50)
            {
                failures.Add($"{description} -> {status}: {problem} {body[..Math.Min(body.Length, 300)]}");
            }

            return status;
        }
        catch (HttpRequestException e)
        {
            failures.Add($"{description} -> no answer: {e.Message} {e.InnerException?.Message}");
            return null;
        }
    }

    /// <summary>A 5xx is a failure; a 4xx must pass <paramref name="shape"/>; anything else passes.</summary>
    public static Func<HttpResponseMessage, int, string, string?> ErrorsAs(Func<HttpResponseMessage, int, JsonNode?, string?> shape) => (response, status, body) =>
    {
        if (status >= 500)
        {
            return "a server error";
        }

        if (status < 400)
        {
            return null;
        }

        try
        {
            return shape(response, status, JsonNode.Parse(body));
        }
        catch (JsonException)
        {
            return "an error body that is not JSON";
        }
    };

    /// <summary>Continuum's own rule: every 4xx is a problem document with its status and a Continuum type.</summary>
    public static readonly Func<HttpResponseMessage, int, string, string?> ProblemDocument = ErrorsAs((response, status, problem) =>
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"a {response.Content.Headers.ContentType?.MediaType ?? "bodiless"} answer instead of a problem document";
        }

        if ((int?)problem?["status"] != status)
        {
            return "a problem whose status is not the answer's";
        }

        return ((string?)problem["type"])?.StartsWith("https://continuum.dev/problems/", StringComparison.Ordinal) == true ? null : "a problem without a Continuum type";
    });
}
