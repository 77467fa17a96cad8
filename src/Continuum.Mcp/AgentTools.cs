using System.ComponentModel;
using System.Text.Json;
using Continuum.Agents;
using ModelContextProtocol.Server;

namespace Continuum.Mcp;

/// <summary>The agent registry, the hub and shared memory as MCP tools.</summary>
[McpServerToolType]
internal sealed class AgentTools(IAgentRegistry registry, IMessageHub hub, ISharedMemory shared)
{
    [McpServerTool(Name = "agent_register"), Description("Register this session as an agent so others can find it, message it and hand work to it.")]
    public Task<string> RegisterAsync(
        [Description("This session's id.")] string sessionId,
        [Description("The agent's name.")] string agentName,
        [Description("The agent's type or model (e.g. Claude).")] string agentType,
        [Description("The person it works for.")] string? humanUser = null,
        [Description("What it can do, e.g. [\"python\", \"review\"].")] string[]? capabilities = null,
        [Description("The namespace (project or team); default 'default'.")] string? @namespace = null) =>
        Tool.RunAsync(async () => (await registry.RegisterAsync(sessionId, new AgentRegistration { AgentName = agentName, AgentType = agentType, HumanUser = humanUser, Capabilities = capabilities, Namespace = @namespace })).Value);

    [McpServerTool(Name = "agent_list"), Description("The agents: who is there, their status and current task. Filter by status or capability.")]
    public Task<string> ListAsync(
        [Description("Only this status: active, working, idle, blocked, offline.")] string? status = null,
        [Description("Only agents with this capability.")] string? capability = null,
        [Description("Offline agents too.")] bool all = false,
        [Description("Only this namespace.")] string? @namespace = null) =>
        Tool.RunAsync(async () => (await registry.ListAgentsAsync(new AgentQuery(status, capability, all, @namespace))).Items);

    [McpServerTool(Name = "agent_ping"), Description("A heartbeat: keeps this session from being shown offline (after 5 minutes without one).")]
    public Task<string> PingAsync([Description("This session's id.")] string sessionId) => Tool.RunAsync(() => registry.PingAsync(sessionId));

    [McpServerTool(Name = "agent_status"), Description("Say what this session is doing: status active, working, idle, blocked or offline, and the current task.")]
    public Task<string> StatusAsync(
        [Description("This session's id.")] string sessionId,
        [Description("active, working, idle, blocked or offline.")] string status,
        [Description("The current task.")] string? currentTask = null) =>
        Tool.RunAsync(() => registry.SetStatusAsync(sessionId, status, currentTask));

    [McpServerTool(Name = "message_send"), Description("Send a message to another session (omit 'to' to broadcast to every registered session of the namespace). Types: ping, request, response, broadcast, notification, task_offer, task_accept, sync, handoff.")]
    public Task<string> SendAsync(
        [Description("This session's id.")] string from,
        [Description("The subject.")] string subject,
        [Description("The receiving session; omit to broadcast.")] string? to = null,
        [Description("The body.")] string? body = null,
        [Description("The message type (default request, or broadcast without 'to').")] string? type = null,
        [Description("The id of the message this answers (joins its thread).")] long? replyTo = null,
        [Description("Structured data as JSON text.")] string? data = null) =>
        Tool.RunAsync(async () =>
        {
            JsonElement? payload = null;
            if (data is not null)
            {
                using var json = JsonDocument.Parse(data);
                payload = json.RootElement.Clone();
            }

            return await hub.SendAsync(new SendMessage { From = from, To = to, Subject = subject, Body = body, Type = type, ReplyTo = replyTo, Data = payload });
        });

    [McpServerTool(Name = "inbox"), Description("This session's messages, oldest first. Use unread=true for what is new, and acknowledge what you handled.")]
    public Task<string> InboxAsync(
        [Description("This session's id.")] string sessionId,
        [Description("Only this message type.")] string? type = null,
        [Description("Only messages not acknowledged.")] bool unread = false,
        [Description("Acknowledge the messages returned.")] bool acknowledge = false) =>
        Tool.RunAsync(async () =>
        {
            var messages = (await hub.InboxAsync(sessionId, new InboxQuery(type, unread))).Items;
            if (acknowledge)
            {
                foreach (var message in messages.Where(m => m.AckedAt is null))
                {
                    await hub.AcknowledgeAsync(message.Id, sessionId);
                }
            }

            return messages;
        });

    [McpServerTool(Name = "message_thread"), Description("The whole thread a message belongs to.")]
    public Task<string> ThreadAsync([Description("Any message id of the thread.")] long messageId) => Tool.RunAsync(async () => (await hub.ThreadAsync(messageId)).Items);

    [McpServerTool(Name = "memory_set"), Description("Write to the shared blackboard: every write is a new version. Pass expectedVersion (0 = only if absent) so you never overwrite someone else's write; a stale version is an error telling the current one.")]
    public Task<string> MemorySetAsync(
        [Description("This session's id.")] string sessionId,
        [Description("The key.")] string key,
        [Description("The value as JSON text (a string, number, object...).")] string value,
        [Description("state, fact, decision, task, context, note (default) or config.")] string? type = null,
        [Description("Tags.")] string[]? tags = null,
        [Description("Seconds until it expires.")] long? ttlSeconds = null,
        [Description("Write only if the current version is this.")] long? expectedVersion = null,
        [Description("The namespace; default 'default'.")] string? @namespace = null) =>
        Tool.RunAsync(async () => (await shared.SetSharedAsync(@namespace ?? AgentNamespace.Default, key, new SharedWrite
        {
            SessionId = sessionId,
            Value = ParseValue(value),
            Type = type,
            Tags = tags,
            TtlSeconds = ttlSeconds,
            ExpectedVersion = expectedVersion,
        })).Value);

    [McpServerTool(Name = "memory_get"), Description("Read a shared-memory entry (its latest version, or every version).")]
    public Task<string> MemoryGetAsync(
        [Description("The key.")] string key,
        [Description("Every version instead of the latest.")] bool all = false,
        [Description("The namespace; default 'default'.")] string? @namespace = null) =>
        Tool.RunAsync<object>(async () => all
            ? (await shared.GetSharedVersionsAsync(@namespace ?? AgentNamespace.Default, key)).Items
            : await shared.GetSharedAsync(@namespace ?? AgentNamespace.Default, key));

    [McpServerTool(Name = "memory_search"), Description("Find shared-memory entries by glob over keys (task_*), by tags (all of them) and by author session.")]
    public Task<string> MemorySearchAsync(
        [Description("A glob over keys.")] string? pattern = null,
        [Description("Tags the entries must all have.")] string[]? tags = null,
        [Description("Only entries written by this session.")] string? session = null,
        [Description("The namespace; default 'default'.")] string? @namespace = null) =>
        Tool.RunAsync(async () => (await shared.SearchSharedAsync(@namespace ?? AgentNamespace.Default, new SharedQuery(pattern, tags, session))).Items);

    [McpServerTool(Name = "memory_delete"), Description("Delete a shared-memory entry.")]
    public Task<string> MemoryDeleteAsync(
        [Description("The key.")] string key,
        [Description("This session's id.")] string? sessionId = null,
        [Description("The namespace; default 'default'.")] string? @namespace = null) =>
        Tool.RunAsync(async () => await shared.DeleteSharedAsync(@namespace ?? AgentNamespace.Default, key, sessionId)
            ? "deleted"
            : throw new Errors.NotFoundException("shared entry", key));

    private static JsonElement ParseValue(string value)
    {
        try
        {
            using var json = JsonDocument.Parse(value);
            return json.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(value);
        }
    }
}
