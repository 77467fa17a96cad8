using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace Continuum.Mcp;

/// <summary>
/// Continuum's MCP server: the same tools and resources over stdio (<c>continuum mcp</c>) and over Streamable HTTP
/// (<c>/mcp</c> on the server). The tools take Continuum's service interfaces, so they run in-process or against a
/// server through <c>ContinuumClient</c> alike.
/// </summary>
public static class ContinuumMcpExtensions
{
    /// <summary>The path the server serves MCP at.</summary>
    public const string DefaultPath = "/mcp";

    /// <summary>How Continuum names itself to MCP clients.</summary>
    public static Implementation ServerInfo { get; } = new()
    {
        Name = "continuum",
        Version = typeof(ContinuumMcpExtensions).Assembly.GetName().Version?.ToString() ?? "1.0",
    };

    /// <summary>
    /// Adds every Continuum tool (sessions, context, handoffs, briefings, the agent registry, hub and shared memory,
    /// search and long-term memories) and the resource templates <c>continuum://projects/{project}/briefing</c>,
    /// <c>continuum://briefing/{project}</c> and <c>continuum://sessions/{id}/context</c>.
    /// </summary>
    public static IMcpServerBuilder WithContinuumTools(this IMcpServerBuilder builder) =>
        builder
            .WithTools<SessionTools>(Tool.Json)
            .WithTools<HandoffTools>(Tool.Json)
            .WithTools<AgentTools>(Tool.Json)
            .WithTools<MemoryTools>(Tool.Json)
            .WithResources<ContinuumResources>();

    /// <summary>
    /// Registers the MCP server over Streamable HTTP with Continuum's tools, stateless (no MCP session is held
    /// between requests, so any node of a cluster answers any request). Map it with <see cref="MapContinuumMcp"/>.
    /// </summary>
    public static IServiceCollection AddContinuumMcp(this IServiceCollection services)
    {
        services.AddMcpServer(o => o.ServerInfo = ServerInfo)
            .WithHttpTransport(o => o.Stateless = true)
            .WithContinuumTools();
        return services;
    }

    /// <summary>
    /// Maps the Streamable HTTP endpoint at <paramref name="pattern"/> (<c>/mcp</c> by default) as an ordinary route:
    /// whatever authentication the host applies to its routes applies to it. A message posted as anything but JSON is
    /// a 415 problem, as the transport requires, rather than the SDK's failure to read it.
    /// </summary>
    public static IEndpointConventionBuilder MapContinuumMcp(this IEndpointRouteBuilder endpoints, string pattern = DefaultPath)
    {
        var mcp = endpoints.MapMcp(pattern).ExcludeFromDescription();
        mcp.Add(endpoint =>
        {
            if (endpoint.RequestDelegate is not { } inner)
            {
                return;
            }

            endpoint.RequestDelegate = context => HttpMethods.IsPost(context.Request.Method) && !context.Request.HasJsonContentType()
                ? throw new Errors.ContinuumException("unsupported-media-type", 415, "An MCP message is JSON: send Content-Type: application/json.")
                : inner(context);
        });
        return mcp;
    }
}
