using System.Text;
using Continuum.Errors;
using Continuum.Security;
using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Tenancy;
using Continuum.Tokens;
using Continuum.Validation;
using Microsoft.Extensions.Options;

namespace Continuum.Context;

/// <summary>
/// Builds a session's context within a budget: carried-over context, current summaries, entities and topics,
/// the user's memories and the newest messages. Each part has a share of the budget; what a part leaves unused
/// goes to the recent messages. The prompt is counted at the end and trimmed (oldest recent message first)
/// until it fits, so the total never exceeds the budget. Reads are bounded by the budget, not by the history.
/// </summary>
public sealed class ContextService(
    ISessionStore sessions,
    IContextStore store,
    IMemoryProvider memories,
    SessionCompressor compressor,
    ITokenCounter tokens,
    ITenantContext tenant,
    IOptions<ContinuumOptions> options,
    Users.IUserStore users) : IContextService
{
    private const double CarriedShare = 0.15;
    private const double SummaryShare = 0.30;
    private const double EntityShare = 0.05;
    private const double MemoryShare = 0.15;
    private const int MessageOverhead = 4;
    private const int RecentBatch = 64;

    /// <inheritdoc />
    public async Task<SessionContext> BuildAsync(string sessionId, string? query = null, int? budget = null, CancellationToken cancellationToken = default)
    {
        var tenantId = tenant.TenantId;
        var session = await sessions.GetAsync(tenantId, sessionId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Session", sessionId);
        CallerAccess.EnsureUser(session.UserId, "Session", sessionId);
        var limit = InputValidator.Range(budget ?? session.TokenLimit, 1, options.Value.Limits.MaxTokenLimit, "budget");
        if (query is { Length: > 4096 })
        {
            throw new ValidationException("query", "must be at most 4096 characters.");
        }

        var (summarizedSeq, clearedSeq) = await store.GetWatermarksAsync(tenantId, sessionId, cancellationToken).ConfigureAwait(false);
        var summaries = await store.GetActiveSummariesAsync(tenantId, sessionId, cancellationToken).ConfigureAwait(false);
        var entities = await store.GetSessionEntitiesAsync(tenantId, sessionId, 20, cancellationToken).ConfigureAwait(false);
        var memoryItems = session.UserId is null
            ? []
            : await memories.GetMemoriesAsync(tenantId, session.UserId, sessionId, query, options.Value.Context.MemoriesLoaded, cancellationToken).ConfigureAwait(false);

        var carriedText = FitCarried(session.CarriedOver, (int)(limit * CarriedShare));
        var placedSummaries = FitSummaries(summaries, (int)(limit * SummaryShare), out var summaryText);
        var placedEntities = FitEntities(entities, session.Topics, (int)(limit * EntityShare), out var entityText);
        var placedMemories = FitMemories(memoryItems, (int)(limit * MemoryShare), out var memoryText);

        var background = Count(carriedText) + Count(summaryText) + Count(entityText) + Count(memoryText);
        var recent = await RecentAsync(tenantId, sessionId, Math.Max(summarizedSeq, clearedSeq), limit - background, cancellationToken).ConfigureAwait(false);

        // The parts were sized one by one; the prompt as a whole is what must fit.
        while (true)
        {
            var prompt = Prompt(carriedText, summaryText, entityText, memoryText, recent);
            var total = Count(prompt);
            if (total <= limit)
            {
                return new SessionContext
                {
                    Messages = Messages(carriedText, summaryText, entityText, memoryText, recent),
                    Prompt = prompt,
                    Budget = limit,
                    Tokens = new ContextTokens
                    {
                        Total = total,
                        CarriedOver = Count(carriedText),
                        Summaries = Count(summaryText),
                        Entities = Count(entityText),
                        Memories = Count(memoryText),
                        Recent = Count(RecentText(recent)),
                    },
                    CarriedOver = carriedText.Length == 0 ? null : carriedText,
                    Summaries = summaryText.Length == 0 ? [] : placedSummaries,
                    Entities = entityText.Length == 0 ? [] : placedEntities,
                    Topics = entityText.Length == 0 ? [] : session.Topics,
                    Memories = memoryText.Length == 0 ? [] : placedMemories,
                    Recent = recent,
                };
            }

            if (recent.Count > 0)
            {
                recent = recent.Skip(1).ToList();
            }
            else if (memoryText.Length > 0)
            {
                memoryText = "";
            }
            else if (entityText.Length > 0)
            {
                entityText = "";
            }
            else if (carriedText.Length > 0)
            {
                carriedText = "";
            }
            else
            {
                summaryText = "";
            }

        }
    }

    private async Task<List<SessionEvent>> RecentAsync(string tenantId, string sessionId, long afterSeq, int room, CancellationToken cancellationToken)
    {
        // Newest first, a batch at a time, until the room is used: the cost follows the budget, not the history.
        var placed = new List<SessionEvent>();
        var used = 0;
        var beforeSeq = long.MaxValue;
        while (true)
        {
            var batch = await store.GetRecentEventsAsync(tenantId, sessionId, afterSeq, beforeSeq, RecentBatch, cancellationToken).ConfigureAwait(false);
            foreach (var e in batch)
            {
                beforeSeq = e.Seq;
                if (Memory.MemoryContextProvider.IsMemoryLoaded(e))
                {
                    // Bookkeeping of the session, not conversation: the memories themselves are in their own part.
                    continue;
                }

                var cost = e.Tokens + MessageOverhead;
                if (used + cost > room)
                {
                    placed.Reverse();
                    return placed;
                }

                used += cost;
                placed.Add(e);
            }

            if (batch.Count < RecentBatch)
            {
                placed.Reverse();
                return placed;
            }
        }
    }

    private string FitCarried(CarriedOver? carried, int room)
    {
        if (carried is null)
        {
            return "";
        }

        // Newest link first: when the chain does not fit its share, the oldest links go. Read oldest first.
        var blocks = new List<string>();
        var summaries = new HashSet<string>(StringComparer.Ordinal);
        var used = 0;
        foreach (var link in carried.Chain())
        {
            // A continuation starts with its parent's summary, so a link repeats the one before it until it folds its own.
            var summary = string.IsNullOrWhiteSpace(link.Summary) || !summaries.Add(link.Summary) ? null : link.Summary;
            var block = Fit(CarriedLines(link, summary), room - used);
            if (block.Length == 0)
            {
                break;
            }

            blocks.Add(block);
            used += Count(block) + 1;
        }

        blocks.Reverse();
        return string.Join('\n', blocks);
    }

    private static List<string> CarriedLines(CarriedOver carried, string? summary)
    {
        var lines = new List<string> { $"Continued from {carried.FromInterface} (session {carried.FromSessionId}{(carried.Title is null ? "" : ", \"" + carried.Title + "\"")})." };
        if (summary is not null)
        {
            lines.Add("Summary so far:");
            lines.AddRange(summary.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        if (carried.Entities.Count > 0)
        {
            lines.Add("Entities: " + string.Join(", ", carried.Entities));
        }

        if (carried.LastMessages.Count > 0)
        {
            lines.Add("Last messages there:");
            lines.AddRange(carried.LastMessages.Select(m => $"{m.Role} ({m.Interface}): {m.Content}"));
        }

        return lines;
    }

    private string Fit(List<string> lines, int room)
    {
        var kept = new StringBuilder();
        foreach (var line in lines)
        {
            if (Count(kept + line) > room)
            {
                break;
            }

            kept.Append(line).Append('\n');
        }

        return kept.ToString().TrimEnd();
    }

    private List<Summary> FitSummaries(IReadOnlyList<Summary> summaries, int room, out string text)
    {
        // Newest summaries first: when not all fit, the oldest detail goes.
        var placed = new List<Summary>();
        var used = Count("Summary of the earlier conversation:\n");
        foreach (var s in summaries.Reverse())
        {
            if (used + s.Tokens + 1 > room)
            {
                break;
            }

            used += s.Tokens + 1;
            placed.Insert(0, s);
        }

        text = placed.Count == 0 ? "" : "Summary of the earlier conversation:\n" + string.Join('\n', placed.Select(s => s.Content));
        while (text.Length > 0 && Count(text) > room && placed.Count > 0)
        {
            placed.RemoveAt(0);
            text = placed.Count == 0 ? "" : "Summary of the earlier conversation:\n" + string.Join('\n', placed.Select(s => s.Content));
        }

        return placed;
    }

    private List<EntityCount> FitEntities(IReadOnlyList<EntityCount> entities, IReadOnlyList<string> topics, int room, out string text)
    {
        var placed = new List<EntityCount>();
        var line = new StringBuilder("Entities: ");
        foreach (var e in entities)
        {
            var candidate = line + (placed.Count == 0 ? "" : ", ") + e.Name;
            if (Count(candidate) > room)
            {
                break;
            }

            line.Clear().Append(candidate);
            placed.Add(e);
        }

        var result = placed.Count == 0 ? "" : line.ToString();
        if (topics.Count > 0)
        {
            var withTopics = (result.Length == 0 ? "" : result + "\n") + "Topics: " + string.Join(", ", topics);
            if (Count(withTopics) <= room)
            {
                result = withTopics;
            }
        }

        text = result;
        return placed;
    }

    private List<ContextMemory> FitMemories(IReadOnlyList<ContextMemory> items, int room, out string text)
    {
        var placed = new List<ContextMemory>();
        var kept = new StringBuilder("What is remembered about the user:\n");
        foreach (var m in items)
        {
            var line = $"- ({m.Kind}) {m.Content}\n";
            if (Count(kept + line) > room)
            {
                continue;
            }

            kept.Append(line);
            placed.Add(m);
        }

        text = placed.Count == 0 ? "" : kept.ToString().TrimEnd();
        return placed;
    }

    private static string RecentText(List<SessionEvent> recent) =>
        string.Join('\n', recent.Select(e => $"{Speaker(e)}: {e.Content}"));

    private static string Speaker(SessionEvent e) =>
        e.Type == EventType.Message ? $"{e.Role} ({e.Interface})" : $"{e.Role} {e.Type}{(e.Name is null ? "" : " " + e.Name)} ({e.Interface})";

    private static string Prompt(string carried, string summaries, string entities, string memories, List<SessionEvent> recent)
    {
        var parts = new[] { carried, summaries, entities, memories, recent.Count == 0 ? "" : "Conversation:\n" + RecentText(recent) };
        return string.Join("\n\n", parts.Where(p => p.Length > 0));
    }

    private static List<ChatMessageDto> Messages(string carried, string summaries, string entities, string memories, List<SessionEvent> recent)
    {
        var messages = new List<ChatMessageDto>();
        var background = string.Join("\n\n", new[] { carried, summaries, entities, memories }.Where(p => p.Length > 0));
        if (background.Length > 0)
        {
            messages.Add(new ChatMessageDto(EventRole.System, background));
        }

        foreach (var e in recent)
        {
            var content = e.Type == EventType.Message ? e.Content : $"[{e.Type}{(e.Name is null ? "" : " " + e.Name)}] {e.Content}";
            messages.Add(new ChatMessageDto(e.Role, content));
        }

        return messages;
    }

    private int Count(string text) => text.Length == 0 ? 0 : tokens.Count(text);

    /// <inheritdoc />
    public async Task ClearAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        await CallerAccess.EnsureSessionAsync(sessions, tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
        if (await store.ClearAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new NotFoundException("Session", sessionId);
        }
    }

    /// <inheritdoc />
    public async Task<int> SummarizeAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        CallerAccess.EnsureUser((await sessions.GetAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Session", sessionId)).UserId, "Session", sessionId);
        return await compressor.CompressAsync(tenant.TenantId, sessionId, force: true, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Summary>> GetSummariesAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        CallerAccess.EnsureUser((await sessions.GetAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Session", sessionId)).UserId, "Session", sessionId);
        return await store.GetActiveSummariesAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Page<Summary>> ListSummariesAsync(string sessionId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var max = InputValidator.Range(limit ?? 100, 1, 1000, "limit");
        var after = ListCursor.Parse(cursor);
        CallerAccess.EnsureUser((await sessions.GetAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Session", sessionId)).UserId, "Session", sessionId);
        var fetched = await store.ListActiveSummariesAsync(tenant.TenantId, sessionId, max + 1, after, cancellationToken).ConfigureAwait(false);
        return ListCursor.Page(fetched, max, s => new ListCursor(s.FromSeq, s.Id));
    }

    /// <inheritdoc />
    public async Task<Page<UserEntity>> GetUserEntitiesAsync(string userId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        InputValidator.Identifier(userId, "userId");
        CallerAccess.EnsureUser(userId, "User", userId);
        _ = await users.GetAsync(tenant.TenantId, userId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", userId);
        var max = InputValidator.Range(limit ?? 100, 1, 1000, "limit");
        var fetched = await store.GetUserEntitiesAsync(tenant.TenantId, userId, max + 1, ListCursor.Parse(cursor), cancellationToken).ConfigureAwait(false);
        var page = ListCursor.Page(fetched, max, r => ListCursor.After(r.Entity.LastSeen, r.Key));
        return new Page<UserEntity>([.. page.Items.Select(r => r.Entity)], page.Next);
    }
}
