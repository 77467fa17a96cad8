using System.ComponentModel;
using Continuum.Context;
using Continuum.Handoffs;
using ModelContextProtocol.Server;

namespace Continuum.Mcp;

/// <summary>A project's briefing and a session's context as MCP resources (resource templates).</summary>
[McpServerResourceType]
internal sealed class ContinuumResources(IHandoffService handoffs, IContextService context)
{
    [McpServerResource(UriTemplate = "continuum://projects/{project}/briefing", Name = "project_briefing", MimeType = "text/markdown"), Description("The briefing a new session of the project reads first: open work by priority, state, recent decisions, lessons, the last handoff.")]
    public Task<string> ProjectBriefingAsync(string project, CancellationToken cancellationToken) =>
        Tool.RunAsync(async () => (await handoffs.GetBriefingAsync(project, cancellationToken: cancellationToken)).Markdown);

    // The first form the briefing was published under; clients configured with it keep working.
    [McpServerResource(UriTemplate = "continuum://briefing/{project}", Name = "briefing", MimeType = "text/markdown"), Description("The briefing a new session of the project reads first (the same as continuum://projects/{project}/briefing).")]
    public Task<string> BriefingAsync(string project, CancellationToken cancellationToken) =>
        ProjectBriefingAsync(project, cancellationToken);

    [McpServerResource(UriTemplate = "continuum://sessions/{id}/context", Name = "session_context", MimeType = "text/plain"), Description("What a model should receive for the session within its token budget: carried-over context, summaries, entities, memories and recent messages, as one prompt.")]
    public Task<string> SessionContextAsync(string id, CancellationToken cancellationToken) =>
        Tool.RunAsync(async () => (await context.BuildAsync(id, cancellationToken: cancellationToken)).Prompt);
}
