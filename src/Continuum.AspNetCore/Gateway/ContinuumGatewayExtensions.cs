using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Continuum.AspNetCore.Gateway;

/// <summary>Adds and maps the OpenAI-compatible gateway (<c>/v1/chat/completions</c>, <c>/v1/models</c>).</summary>
public static class ContinuumGatewayExtensions
{
    /// <summary>Registers the gateway, its options (<c>Continuum:Gateway</c>) and its upstream connection pool. Calling it twice is harmless.</summary>
    public static IServiceCollection AddContinuumGateway(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName);
        services.TryAddSingleton<GatewayUpstreams>();
        services.TryAddSingleton<ChatCompletionsHandler>();
        services.TryAddSingleton<GatewayRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayRecorder>());
        services.TryAddSingleton<IGatewayBoundUser, CallerBoundUser>();
        return services;
    }

    /// <summary>
    /// Maps <c>POST /v1/chat/completions</c> and <c>GET /v1/models</c>. Their errors are in OpenAI's shape
    /// (<c>{"error": {...}}</c>), not problem details, because the clients that call them parse that shape.
    /// </summary>
    public static IEndpointRouteBuilder MapContinuumGateway(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var v1 = endpoints.MapGroup("/v1").WithTags("gateway").WithMetadata(OpenAIErrorShape.Instance);
        v1.MapPost("/chat/completions", (HttpContext http) => http.RequestServices.GetRequiredService<ChatCompletionsHandler>().HandleAsync(http))
            .WithMetadata(new AcceptsMetadata(["*/*"], typeof(JsonObject)))
            .WithName("ChatCompletions")
            .WithSummary("OpenAI-compatible chat completions with the caller's session context and memory (streaming too).");
        v1.MapGet("/models", (HttpContext http) =>
        {
            var upstreams = http.RequestServices.GetRequiredService<GatewayUpstreams>();
            var data = new JsonArray();
            foreach (var name in upstreams.Names().Distinct(StringComparer.OrdinalIgnoreCase))
            {
                data.Add(new JsonObject { ["id"] = name, ["object"] = "model", ["created"] = 0, ["owned_by"] = "continuum" });
            }

            http.Response.ContentType = "application/json";
            return http.Response.WriteAsync(new JsonObject { ["object"] = "list", ["data"] = data }.ToJsonString(), http.RequestAborted);
        }).WithName("ListModels").WithSummary("The model names the gateway answers for.");
        return endpoints;
    }
}
