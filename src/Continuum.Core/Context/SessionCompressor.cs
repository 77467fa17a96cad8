using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Tokens;
using Continuum.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Context;

/// <summary>
/// Folds the oldest unsummarized part of a session into a summary (InfiniPot-style rolling compression) and
/// stacks summaries when they themselves grow. The boundary always falls before a user message, so a tool
/// call is never split from its result nor a question from its answer. Everything a pass writes lands in one
/// transaction, guarded by the session's summarized seq: a crash mid-way leaves nothing half-done, and the
/// pass is simply redone.
/// </summary>
public sealed partial class SessionCompressor(
    IContextStore store,
    SummarizerChain summarizers,
    ITokenCounter tokens,
    IOptions<ContinuumOptions> options,
    TimeProvider time,
    ILogger<SessionCompressor> logger,
    ChatClientEntityExtractor? modelEntities = null)
{
    private const int MaxEventsPerPass = 5000;
    private readonly ContextOptions _options = options.Value.Context;

    /// <summary>
    /// Compresses the session while it is over its threshold (or once, when <paramref name="force"/>); returns how
    /// many summaries were written.
    /// </summary>
    public async Task<int> CompressAsync(string tenantId, string sessionId, bool force, CancellationToken cancellationToken)
    {
        var written = 0;
        for (var pass = 0; pass < 64; pass++)
        {
            var work = await store.GetCompressionWorkAsync(tenantId, sessionId, MaxEventsPerPass, cancellationToken).ConfigureAwait(false);
            if (work is null)
            {
                return written;
            }

            var over = work.UnsummarizedTokens > work.Session.TokenLimit * _options.SummarizeThreshold;
            if (!over && !(force && pass == 0))
            {
                break;
            }

            var boundary = FindBoundary(work.Events, _options, force);
            if (boundary <= 0)
            {
                break;
            }

            var folded = work.Events.Take(boundary).ToList();
            var (text, summarizer) = await summarizers.SummarizeAsync(folded.Select(ToSource).ToList(), MaxSummaryTokens(work.Session), cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var summary = new Summary
            {
                Id = Ids.New("sum_", now),
                SessionId = sessionId,
                Level = 0,
                FromSeq = folded[0].Seq,
                ToSeq = folded[^1].Seq,
                Content = text,
                Tokens = tokens.Count(text),
                Summarizer = summarizer,
                CreatedAt = now,
            };
            var foldedTokens = folded.Sum(e => (long)e.Tokens);
            if (!await store.SaveSummaryAsync(tenantId, summary, work.SummarizedSeq, foldedTokens, Topics(work.Events), cancellationToken).ConfigureAwait(false))
            {
                // Another compressor (another node) got there first; read again.
                continue;
            }

            written++;
            LogFolded(logger, sessionId, summary.FromSeq, summary.ToSeq, summary.Tokens);
            await AddModelEntitiesAsync(tenantId, sessionId, folded, cancellationToken).ConfigureAwait(false);
            written += await StackAsync(tenantId, work.Session, cancellationToken).ConfigureAwait(false);
            if (force)
            {
                break;
            }
        }

        return written;
    }

    // With a model configured, it names the entities of the folded stretch, adding what the rules missed.
    private async Task AddModelEntitiesAsync(string tenantId, string sessionId, List<SessionEvent> folded, CancellationToken cancellationToken)
    {
        if (modelEntities is null)
        {
            return;
        }

        try
        {
            var text = string.Join('\n', folded.Where(e => e.Type == EventType.Message).Select(e => $"{e.Role}: {e.Content}"));
            var known = folded.SelectMany(e => e.Entities).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var found = await modelEntities.ExtractAsync(text, cancellationToken).ConfigureAwait(false);
            var added = found.Where(m => !known.Contains(m.Name)).ToList();
            if (added.Count > 0)
            {
                await store.AddEntitiesAsync(tenantId, sessionId, added, folded[^1].Seq, folded[^1].CreatedAt, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogEntitiesFailed(logger, sessionId, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The model's entity extraction failed for session {SessionId} ({Error}); the built-in entities stand")]
    private static partial void LogEntitiesFailed(ILogger logger, string sessionId, string error);

    /// <summary>
    /// The number of leading events to fold: all but the most recent share of messages (at least the minimum),
    /// moved back so the kept part starts with a user message. 0 when nothing can be folded.
    /// </summary>
    internal static int FindBoundary(IReadOnlyList<SessionEvent> events, ContextOptions options, bool force)
    {
        var messageIndexes = new List<int>();
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Type == EventType.Message)
            {
                messageIndexes.Add(i);
            }
        }

        var keep = Math.Max(options.KeepRecentMin, (int)Math.Ceiling(messageIndexes.Count * options.KeepRecentRatio));
        if (force)
        {
            keep = Math.Min(keep, Math.Max(1, messageIndexes.Count / 2));
        }

        if (messageIndexes.Count <= keep)
        {
            return 0;
        }

        var boundary = messageIndexes[messageIndexes.Count - keep];
        while (boundary > 0 && !(events[boundary].Type == EventType.Message && events[boundary].Role == EventRole.User))
        {
            boundary--;
        }

        return boundary;
    }

    private async Task<int> StackAsync(string tenantId, Session session, CancellationToken cancellationToken)
    {
        var active = await store.GetActiveSummariesAsync(tenantId, session.Id, cancellationToken).ConfigureAwait(false);
        var total = active.Sum(s => s.Tokens);
        if (active.Count < 2 || total <= session.TokenLimit * _options.StackShare)
        {
            return 0;
        }

        // Fold all but the newest summary: the newest stays detailed, the older ones become one.
        var older = active.Take(active.Count - 1).ToList();
        var items = older.Select(s => new SummarySource("summary", s.Content, "", "summary")).ToList();
        var (text, summarizer) = await summarizers.SummarizeAsync(items, MaxSummaryTokens(session), cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var stacked = new Summary
        {
            Id = Ids.New("sum_", now),
            SessionId = session.Id,
            Level = older.Max(s => s.Level) + 1,
            FromSeq = older[0].FromSeq,
            ToSeq = older[^1].ToSeq,
            Content = text,
            Tokens = tokens.Count(text),
            Summarizer = summarizer,
            CreatedAt = now,
        };
        return await store.SaveStackedSummaryAsync(tenantId, stacked, [.. older.Select(s => s.Id)], cancellationToken).ConfigureAwait(false) ? 1 : 0;
    }

    // A summary may not take more than half the share summaries have together, so two always fit before stacking.
    private int MaxSummaryTokens(Session session) =>
        Math.Max(16, Math.Min(_options.SummaryMaxTokens, (int)(session.TokenLimit * _options.StackShare / 2)));

    internal static SummarySource ToSource(SessionEvent e) => new(e.Role, e.Name is null ? e.Content : $"[{e.Name}] {e.Content}", e.Interface, e.Type, e.Entities);

    private static List<string> Topics(IReadOnlyList<SessionEvent> events)
    {
        // Topics: the names mentioned most in this stretch of the session.
        return [.. events.SelectMany(e => e.Entities)
            .GroupBy(e => e.ToLowerInvariant())
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(8)
            .Select(g => g.First())];
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Folded events {From}..{To} of session {SessionId} into a summary of {Tokens} tokens")]
    private static partial void LogFolded(ILogger logger, string sessionId, long from, long to, int tokens);
}
