using System.ComponentModel;
using Continuum.Memory;
using Continuum.Search;
using ModelContextProtocol.Server;

namespace Continuum.Mcp;

/// <summary>Search and long-term memory as MCP tools.</summary>
[McpServerToolType]
internal sealed class MemoryTools(ISearchService search, IMemoryService memories)
{
    [McpServerTool(Name = "search"), Description("Search a user's past conversations, summaries and memories (or one session's). Each result has its session, seq, text and why it matched.")]
    public Task<string> SearchAsync(
        [Description("What to look for; a question works.")] string query,
        [Description("The user whose history is searched.")] string? userId = null,
        [Description("Only this session.")] string? sessionId = null,
        [Description("Only these kinds: event, summary, memory.")] string[]? kinds = null,
        [Description("How many results (default 10).")] int? limit = null) =>
        Tool.RunAsync(async () => await search.SearchAsync(new SearchRequest { Query = query, UserId = userId, SessionId = sessionId, Kinds = kinds, Limit = limit }));

    [McpServerTool(Name = "memory_add"), Description("Remember something about a user for later sessions. A near-duplicate merges into the existing memory; a fact that contradicts an older one closes the older one's validity.")]
    public Task<string> AddAsync(
        [Description("The user.")] string userId,
        [Description("The memory's text, e.g. 'Prefers answers in German' or 'GPU temp is 61C'.")] string content,
        [Description("preference, fact, note or conversation (default note).")] string? kind = null,
        [Description("What a fact is about, e.g. 'gpu temp' (derived when absent).")] string? subject = null,
        [Description("The session it came from.")] string? sessionId = null,
        [Description("Only for this agent.")] string? agentId = null) =>
        Tool.RunAsync(async () => await memories.AddAsync(new NewMemory { UserId = userId, Content = content, Kind = kind, Subject = subject, SessionId = sessionId, AgentId = agentId }));

    [McpServerTool(Name = "memories_list"), Description("A user's current memories, newest first (history=true adds superseded facts).")]
    public Task<string> ListAsync(
        [Description("The user.")] string userId,
        [Description("Only this kind: conversation, preference, fact, note.")] string? kind = null,
        [Description("Include superseded facts.")] bool history = false,
        [Description("How many (default 50).")] int? limit = null) =>
        Tool.RunAsync(async () => (await memories.ListAsync(new MemoryQuery { UserId = userId, Kind = kind, IncludeHistory = history, Limit = limit })).Items);

    [McpServerTool(Name = "memory_forget"), Description("Forget one memory by id.")]
    public Task<string> ForgetAsync([Description("The memory id.")] string memoryId) =>
        Tool.RunAsync(async () => new { forgotten = await memories.DeleteAsync(memoryId) });

    [McpServerTool(Name = "conversations"), Description("A user's past sessions with title, last message and counts, most recent first.")]
    public Task<string> ConversationsAsync([Description("The user.")] string userId, [Description("How many (default 20).")] int? limit = null) =>
        Tool.RunAsync(async () => (await memories.ConversationsAsync(userId, limit)).Items);
}
