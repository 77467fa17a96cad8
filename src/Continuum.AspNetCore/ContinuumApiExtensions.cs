using System.Text.Json;
using Continuum.AspNetCore.Gateway;
using Continuum.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Continuum.AspNetCore;

/// <summary>Adds and maps Continuum's REST API.</summary>
public static class ContinuumApiExtensions
{
    /// <summary>
    /// Registers what the API needs: problem details for every error, the exception handler, the wire JSON
    /// options, OpenAPI and the store health check.
    /// </summary>
    public static IServiceCollection AddContinuumApi(this IServiceCollection services)
    {
        // First among the writers, so that it answers every problem, whatever the Accept header lists.
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, ContinuumProblemWriter>());
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Type ??= ContinuumExceptionHandler.TypePrefix + "http-" + c.ProblemDetails.Status;
            if (c.ProblemDetails.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
            {
                c.ProblemDetails.Type = ContinuumExceptionHandler.TypePrefix + "http-" + c.ProblemDetails.Status;
            }

            // Kestrel's body limit surfaces as a bare 413 status; give it the same type as the field limits.
            if (c.ProblemDetails.Status == 413 && c.Exception is null)
            {
                c.ProblemDetails.Type = ContinuumExceptionHandler.TypePrefix + "payload-too-large";
                c.ProblemDetails.Title = "Payload too large.";
                c.ProblemDetails.Detail ??= "The request body is larger than the server accepts (Continuum:Limits:MaxRequestBytes).";
            }

            // No such route (or an id its route does not accept, such as a message id that is not a number) is the
            // same fault as no such item.
            if (c.ProblemDetails.Status == 404 && c.Exception is null)
            {
                c.ProblemDetails.Type = ContinuumExceptionHandler.TypePrefix + "not-found";
                c.ProblemDetails.Detail ??= "There is nothing at this path (no such route, or an id of the wrong form).";
            }

            // A body of the wrong media type: the same type as an unsupported charset.
            if (c.ProblemDetails.Status == 415 && c.Exception is null)
            {
                c.ProblemDetails.Type = ContinuumExceptionHandler.TypePrefix + "unsupported-media-type";
                c.ProblemDetails.Detail ??= "The body must be JSON: send Content-Type: application/json.";
            }

            c.ProblemDetails.Instance ??= c.HttpContext.Request.Path;
        });
        services.AddExceptionHandler<ContinuumExceptionHandler>();

        // The handler logs each error once, at its level (client errors at Debug); the middleware adds nothing.
        services.Configure<ExceptionHandlerOptions>(o => o.SuppressDiagnosticsCallback = c => c.ExceptionHandledBy == ExceptionHandledType.ExceptionHandlerService);
        services.Configure<JsonOptions>(o => Copy(JsonDefaults.Options, o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        Security.SecurityServiceCollectionExtensions.AddContinuumSecurity(services);
        services.AddContinuumGateway();
        services.AddHealthChecks().AddCheck<SearchIndexHealthCheck>("search-index");
        return services;
    }

    /// <summary>
    /// Checks the body of every request to a Continuum endpoint that takes JSON before the endpoint reads it
    /// (UTF-8 charset, well-formed UTF-8 and JSON, no lone surrogates, no duplicate member names, a required
    /// body present), so a bad body is a 4xx problem and nothing is written. Call after
    /// <c>UseExceptionHandler()</c> (the refusals are exceptions it maps) and before the endpoints run.
    /// </summary>
    public static IApplicationBuilder UseContinuumRequestValidation(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestBodyValidation>();

    /// <summary>
    /// Maps <c>/api/…</c>, <c>/health</c> and <c>/openapi/v1.json</c>. Call after <c>UseExceptionHandler()</c>
    /// and <c>UseStatusCodePages()</c> so that every error is a problem document.
    /// </summary>
    public static IEndpointRouteBuilder MapContinuumApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        SessionEndpoints.Map(api);
        UserEndpoints.Map(api);
        ContextEndpoints.Map(api);
        HandoffEndpoints.Map(api);
        AgentEndpoints.Map(api);
        SearchEndpoints.Map(api);
        MemoryEndpoints.Map(api);
        StreamEndpoint.Map(api);
        OperationsEndpoints.Map(api);
        Security.KeyEndpoints.Map(api);
        Lifecycle.AuditEndpoints.Map(api);
        Lifecycle.LifecycleEndpoints.Map(api);
        Lifecycle.RetentionEndpoints.Map(api);
        endpoints.MapContinuumGateway();
        endpoints.MapOpenApi();
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsync });
        return endpoints;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description, data = e.Value.Data.Count == 0 ? null : e.Value.Data }),
        }, JsonDefaults.Options);
    }

    private static void Copy(JsonSerializerOptions from, JsonSerializerOptions to)
    {
        to.PropertyNamingPolicy = from.PropertyNamingPolicy;
        to.PropertyNameCaseInsensitive = from.PropertyNameCaseInsensitive;
        to.DefaultIgnoreCondition = from.DefaultIgnoreCondition;
        to.NumberHandling = from.NumberHandling;
    }
}
