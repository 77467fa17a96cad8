using System.Text.Json;
using Continuum.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Continuum.AspNetCore;

/// <summary>
/// Maps every exception to a problem details document with a stable <c>type</c>. Continuum's own errors keep
/// their status and message; malformed requests are 400 (413 when too large); anything else is a 500 that
/// never shows the exception's text. Client errors are logged at Debug, server errors at Error; the problem is
/// written as <c>application/problem+json</c> whatever the request's <c>Accept</c> header says, except on routes
/// marked <see cref="Gateway.OpenAIErrorShape"/> (the gateway's <c>/v1</c>), whose clients parse OpenAI's error shape.
/// </summary>
public sealed partial class ContinuumExceptionHandler(IProblemDetailsService problems, ILogger<ContinuumExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>The prefix of every problem type.</summary>
    public const string TypePrefix = "https://continuum.dev/problems/";

    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var problem = exception switch
        {
            ValidationException v => new ValidationProblemDetails(v.Errors.ToDictionary(e => e.Key, e => e.Value))
            {
                Status = 400,
                Type = TypePrefix + v.ErrorType,
                Title = "The request is not valid.",
                Detail = v.Message,
            },
            ContinuumException c => new ProblemDetails { Status = c.StatusCode, Type = TypePrefix + c.ErrorType, Title = TitleFor(c.StatusCode), Detail = c.Message },
            BadHttpRequestException { StatusCode: 413 } => new ProblemDetails
            {
                Status = 413,
                Type = TypePrefix + "payload-too-large",
                Title = TitleFor(413),
                Detail = "The request body is larger than the server accepts (Continuum:Limits:MaxRequestBytes).",
            },
            BadHttpRequestException b => new ProblemDetails
            {
                Status = 400,
                Type = TypePrefix + "malformed-request",
                Title = TitleFor(400),
                Detail = Describe(b),
            },
            JsonException j => new ProblemDetails { Status = 400, Type = TypePrefix + "malformed-request", Title = TitleFor(400), Detail = "The body is not valid JSON: " + j.Message },
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };

        if (problem is null)
        {
            if (httpContext.RequestAborted.IsCancellationRequested)
            {
                return true;
            }

            LogUnhandled(logger, httpContext.Request.Method, httpContext.Request.Path, exception);
            problem = new ProblemDetails
            {
                Status = 500,
                Type = TypePrefix + "internal",
                Title = TitleFor(500),
                Detail = "An unexpected error occurred. It has been logged on the server.",
            };
        }
        else
        {
            if (exception is ContinuumException { IsTransient: true })
            {
                httpContext.Response.Headers.RetryAfter = "1";
            }

            if (problem.Status >= 500)
            {
                LogServerError(logger, httpContext.Request.Method, httpContext.Request.Path, problem.Status.Value, problem.Type, exception);
            }
            else
            {
                LogClientError(logger, httpContext.Request.Method, httpContext.Request.Path, problem.Status ?? 400, problem.Type, exception.Message);
            }
        }

        httpContext.Response.StatusCode = problem.Status ?? 500;
        // The exception handler runs with the endpoint cleared; the feature keeps the one that failed.
        var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<Gateway.OpenAIErrorShape>() is not null)
        {
            var status = problem.Status ?? 500;
            var code = Gateway.OpenAIError.CodeFor(problem.Type?.StartsWith(TypePrefix, StringComparison.Ordinal) == true ? problem.Type[TypePrefix.Length..] : problem.Type ?? "internal");
            var message = problem is ValidationProblemDetails { Errors.Count: > 0 } invalid
                ? string.Join("; ", invalid.Errors.Select(e => $"{e.Key} {string.Join(" ", e.Value)}"))
                : problem.Detail ?? problem.Title ?? TitleFor(status);
            var param = (problem as ValidationProblemDetails)?.Errors.Keys.FirstOrDefault();
            await Gateway.OpenAIError.WriteAsync(httpContext, status, message, Gateway.OpenAIError.TypeFor(status), code, param).ConfigureAwait(false);
            return true;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception })
            .ConfigureAwait(false);
    }

    private static string Describe(BadHttpRequestException exception)
    {
        // Binding failures wrap the JSON reader's error, which says where the body is broken.
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                return "The body is not valid JSON for this endpoint: " + json.Message;
            }
        }

        return exception.Message;
    }

    internal static string TitleFor(int status) => status switch
    {
        400 => "Bad request.",
        401 => "Authentication required.",
        403 => "Forbidden.",
        404 => "Not found.",
        409 => "Conflict.",
        405 => "Method not allowed.",
        406 => "Not acceptable.",
        413 => "Payload too large.",
        415 => "Unsupported media type.",
        500 => "Internal server error.",
        503 => "Service unavailable.",
        _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : status >= 500 ? "Server error." : "Client error.",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} answered {Status} {Type}")]
    private static partial void LogServerError(ILogger logger, string method, string path, int status, string? type, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} answered {Status} {Type}: {Detail}")]
    private static partial void LogClientError(ILogger logger, string method, string path, int status, string? type, string detail);
}
