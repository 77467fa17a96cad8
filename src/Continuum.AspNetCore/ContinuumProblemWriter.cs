using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Continuum.AspNetCore;

/// <summary>
/// Writes every problem as <c>application/problem+json</c> with its real status, whatever the request's
/// <c>Accept</c> header lists. ASP.NET Core's own writer declines when <c>Accept</c> names neither JSON nor
/// <c>*/*</c> (a browser's <c>text/html</c>, a Markdown client's <c>text/markdown</c>), which would leave an
/// error without a body or turn it into a 500; an error is always answered in the one format every client
/// of this API reads.
/// </summary>
internal sealed class ContinuumProblemWriter(IOptions<JsonOptions> json, IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    /// <summary>The media type of every error.</summary>
    public const string MediaType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        options.Value.CustomizeProblemDetails?.Invoke(context);
        problem.Title ??= ContinuumExceptionHandler.TitleFor(problem.Status ?? 500);
        if (!problem.Extensions.ContainsKey("traceId"))
        {
            problem.Extensions["traceId"] = Activity.Current?.Id ?? http.TraceIdentifier;
        }

        await http.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions, MediaType, http.RequestAborted).ConfigureAwait(false);
    }
}
