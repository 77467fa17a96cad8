using System.ComponentModel;
using System.Text.Json;
using Continuum.Handoffs;
using ModelContextProtocol.Server;

namespace Continuum.Mcp;

/// <summary>Handoffs, the knowledge base and the briefing as MCP tools.</summary>
[McpServerToolType]
internal sealed class HandoffTools(IHandoffService handoffs)
{
    [McpServerTool(Name = "briefing"), Description("Read this first when starting work on a project: the Markdown briefing (open work by priority, state, recent decisions, lessons, the last handoff) within a token budget.")]
    public Task<string> BriefingAsync(
        [Description("The project.")] string project,
        [Description("Token budget (default 2000).")] int? budget = null) =>
        Tool.RunAsync(async () => (await handoffs.GetBriefingAsync(project, budget)).Markdown);

    [McpServerTool(Name = "handoff_create"), Description("Hand off at the end of a working session: store what was done and decided, and what comes next, into the project's knowledge base. Answers the decisions logged and the tasks opened and closed.")]
    public Task<string> CreateAsync(
        [Description("The project.")] string project,
        [Description("The session's goal.")] string? goal = null,
        [Description("What was achieved; an achievement that reports an open task done closes it.")] string[]? achievements = null,
        [Description("Decisions: objects { decision, reasoning, impact }.")] HandoffDecision[]? decisions = null,
        [Description("What was learned.")] string[]? insights = null,
        [Description("Blockers: objects { blocker, solution, lesson }.")] HandoffBlocker[]? blockers = null,
        [Description("Next steps: objects { task, priority: high|medium|low }.")] NextStep[]? nextSteps = null,
        [Description("Files created or changed, as 'path - what it is' or a path.")] string[]? files = null,
        [Description("Notes for the next session.")] string? notes = null,
        [Description("The Continuum session handing off.")] string? sessionId = null,
        [Description("Who hands off.")] string? author = null) =>
        Tool.RunAsync(async () => await handoffs.CreateAsync(new Handoff
        {
            Project = project,
            Goal = goal,
            Achievements = achievements ?? [],
            Decisions = decisions ?? [],
            Insights = insights ?? [],
            Blockers = blockers ?? [],
            NextSteps = nextSteps ?? [],
            CodeCreated = files ?? [],
            Notes = notes,
            SessionId = sessionId,
            Author = author,
        }));

    [McpServerTool(Name = "handoff_create_json"), Description("Hand off from a whole JSON document, in Continuum's layout or the session-context layout (primary_goal, decisions_made, next_steps, ...).")]
    public Task<string> CreateFromJsonAsync(
        [Description("The project (overrides the document's).")] string project,
        [Description("The handoff document as JSON text.")] string document) =>
        Tool.RunAsync(async () =>
        {
            using var json = JsonDocument.Parse(document);
            return await handoffs.CreateAsync(HandoffJson.Parse(json.RootElement, project));
        });

    [McpServerTool(Name = "handoff_draft"), Description("Draft a handoff from a session's own events and summaries, to correct and then pass to handoff_create.")]
    public Task<string> DraftAsync(
        [Description("The session id.")] string sessionId,
        [Description("The project (default: the session's metadata.project).")] string? project = null) =>
        Tool.RunAsync(async () => await handoffs.DraftAsync(sessionId, project));

    [McpServerTool(Name = "handoff_get"), Description("A handoff as its Markdown document (or JSON).")]
    public Task<string> GetAsync(
        [Description("The handoff id (hof_...).")] string id,
        [Description("true for JSON instead of Markdown.")] bool json = false) =>
        Tool.RunAsync(async () =>
        {
            var handoff = await handoffs.GetAsync(id);
            return json ? JsonSerializer.Serialize(handoff, Tool.Json) : HandoffMarkdown.Render(handoff);
        });

    [McpServerTool(Name = "knowledge"), Description("The project's knowledge base: decisions log, pending work, insights, architecture state, code registry; as it is or as it was at a date.")]
    public Task<string> KnowledgeAsync(
        [Description("The project.")] string project,
        [Description("A past date or time (ISO 8601) to see the base as it was then.")] string? asOf = null) =>
        Tool.RunAsync(async () => await handoffs.GetKnowledgeAsync(project, TimeArgument.Parse(asOf, "asOf", endOfDay: true)));

    [McpServerTool(Name = "timeline"), Description("The project's handoffs between two dates, oldest first: what happened and the chain of sessions.")]
    public Task<string> TimelineAsync(
        [Description("The project.")] string project,
        [Description("From this date (a bare date is its whole day).")] string? since = null,
        [Description("Up to this date.")] string? until = null) =>
        Tool.RunAsync(async () => (await handoffs.ListAsync(project, TimeArgument.Parse(since, "since"), TimeArgument.Parse(until, "until", endOfDay: true))).Items
            .Select(h => new { h.Id, h.SessionId, h.Author, h.Goal, h.EndedAt, h.Achievements, NextSteps = h.NextSteps.Select(s => s.Task) }).ToList());
}
