using System.ComponentModel;
using Continuum.Context;
using Continuum.Errors;
using Continuum.Sessions;
using Continuum.Users;
using ModelContextProtocol.Server;

namespace Continuum.Mcp;

/// <summary>Sessions and their context as MCP tools.</summary>
[McpServerToolType]
internal sealed class SessionTools(ISessionService sessions, IContextService context)
{
    [McpServerTool(Name = "session_open"), Description("Open (or resume) a Continuum session for a user on an interface; answers the session with its id. Use mode 'new' to always start a new one.")]
    public Task<string> OpenAsync(
        [Description("The interface, e.g. 'claude-code', 'cli', 'web'.")] string @interface,
        [Description("The user's id on that interface (e.g. a login name); omit for an anonymous session.")] string? externalUserId = null,
        [Description("A title for a new session.")] string? title = null,
        [Description("'resume' (default: the user's active session) or 'new'.")] string? mode = null,
        [Description("The agent id, for agent sessions.")] string? agentId = null) =>
        Tool.RunAsync(async () => (await sessions.OpenAsync(new OpenSessionRequest
        {
            Interface = @interface,
            Identity = externalUserId is null ? null : new IdentityRef { Interface = @interface, ExternalUserId = externalUserId },
            Title = title,
            Mode = mode,
            AgentId = agentId,
        })).Session);

    [McpServerTool(Name = "session_append"), Description("Record a message (or tool call, tool result, note) in a session; answers the stored event with its seq.")]
    public Task<string> AppendAsync(
        [Description("The session id (ses_...).")] string sessionId,
        [Description("The text.")] string content,
        [Description("user, assistant, system or tool.")] string role = "user",
        [Description("message (default), tool_call, tool_result, note ...")] string? type = null,
        [Description("A key that makes retries safe: the same key returns the original event.")] string? idempotencyKey = null) =>
        Tool.RunAsync(async () => (await sessions.AppendAsync(sessionId, new NewEvent { Content = content, Role = role, Type = type, IdempotencyKey = idempotencyKey })).Event);

    [McpServerTool(Name = "session_context"), Description("What a model should receive for a session within a token budget: carried-over context, summaries, entities, memories and recent messages, as one prompt.")]
    public Task<string> ContextAsync(
        [Description("The session id.")] string sessionId,
        [Description("The question being asked, to pick relevant memories.")] string? query = null,
        [Description("Token budget (default: the session's token limit).")] int? budget = null) =>
        Tool.RunAsync(async () =>
        {
            var built = await context.BuildAsync(sessionId, query, budget);
            return $"{built.Prompt}\n\n({built.Tokens.Total} of {built.Budget} tokens)";
        });

    [McpServerTool(Name = "session_events"), Description("A session's events in order, after a seq.")]
    public Task<string> EventsAsync(
        [Description("The session id.")] string sessionId,
        [Description("Only events after this seq.")] long? after = null,
        [Description("At most this many (default 50).")] int? limit = null) =>
        Tool.RunAsync(async () => await sessions.ListEventsAsync(sessionId, after, limit ?? 50));

    [McpServerTool(Name = "session_get"), Description("A session: status, counters, summary, entities, topics.")]
    public Task<string> GetAsync([Description("The session id.")] string sessionId) =>
        Tool.RunAsync(async () => await sessions.GetAsync(sessionId) ?? throw new NotFoundException("session", sessionId));
}
