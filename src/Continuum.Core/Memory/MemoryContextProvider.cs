using System.Collections.Concurrent;
using System.Text.Json;
using Continuum.Context;
using Continuum.Json;
using Continuum.Search;
using Continuum.Sessions;
using Microsoft.Extensions.Logging;

namespace Continuum.Memory;

/// <summary>
/// Loads a user's memories into a session's context: the most relevant to the query (when there is one) and the most
/// recent, without the session's own conversation memory. The first time a session loads them (at its first
/// context, which is when an assistant plans its first answer) a <c>memory_loaded</c> event with the user id and
/// the memory count is recorded in the session, once (an idempotent append), and so published to its subscribers.
/// Anonymous sessions have no memories and record nothing.
/// </summary>
public sealed partial class MemoryContextProvider(
    IMemoryStore memories,
    ISearchStore search,
    ISessionService sessions,
    Realtime.IChangeFeed changes,
    ILogger<MemoryContextProvider> logger) : IMemoryProvider, IDisposable
{
    private const int MaxCachedUsers = 10_000;

    private readonly ConcurrentDictionary<(string TenantId, string UserId, string Terms, int Limit), (IReadOnlyList<MemoryItem> Relevant, IReadOnlyList<MemoryItem> Recent)> _cache = new();
    private IDisposable? _subscription;
    private long _generation;

    /// <summary>The name of the event that records the loading.</summary>
    public const string LoadedEventName = "memory_loaded";

    private const int RememberedSessions = 10_000;

    private readonly ConcurrentDictionary<string, bool> _recorded = new(StringComparer.Ordinal);

    /// <summary>True for the <c>memory_loaded</c> record (a state event of the system).</summary>
    public static bool IsMemoryLoaded(SessionEvent e) =>
        e is { Type: EventType.State, Role: EventRole.System, Name: LoadedEventName };

    /// <inheritdoc />
    public async Task<IReadOnlyList<ContextMemory>> GetMemoriesAsync(string tenantId, string? userId, string sessionId, string? query, int limit, CancellationToken cancellationToken)
    {
        if (userId is null || limit <= 0)
        {
            return [];
        }

        var (relevant, recent) = await CandidatesAsync(tenantId, userId, query, limit, cancellationToken).ConfigureAwait(false);
        var chosen = new List<MemoryItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in relevant.Where(m => !(m.Kind == MemoryKind.Conversation && m.SessionId == sessionId)).Take((limit + 1) / 2))
        {
            if (seen.Add(m.Id))
            {
                chosen.Add(m);
            }
        }

        foreach (var m in recent)
        {
            if (chosen.Count >= limit)
            {
                break;
            }

            if (!(m.Kind == MemoryKind.Conversation && m.SessionId == sessionId) && seen.Add(m.Id))
            {
                chosen.Add(m);
            }
        }

        await RecordAsync(sessionId, userId, chosen, cancellationToken).ConfigureAwait(false);
        return [.. chosen.Select(m => new ContextMemory(m.Id, m.Kind, m.ValidTo is null && m.Kind == MemoryKind.Fact ? $"{m.Content} (since {m.ValidFrom:yyyy-MM-dd})" : m.Content))];
    }

    // The user's relevant and recent memories, cached until the user's memories change (every write publishes a
    // notice on user:ID, on every node), so building a context does not read them again and again.
    private async Task<(IReadOnlyList<MemoryItem> Relevant, IReadOnlyList<MemoryItem> Recent)> CandidatesAsync(string tenantId, string userId, string? query, int limit, CancellationToken cancellationToken)
    {
        EnsureSubscribed();
        var terms = string.IsNullOrWhiteSpace(query) ? [] : QueryText.Terms(query);
        var key = (tenantId, userId, string.Join(' ', terms), limit);
        if (_cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var generation = Volatile.Read(ref _generation);
        IReadOnlyList<MemoryItem> relevant = [];
        if (terms.Count > 0)
        {
            var hits = await search.MatchAsync(tenantId, "memory", new SearchScope(userId, null, null, null, null, null), terms, limit * 2, cancellationToken).ConfigureAwait(false);
            var found = new List<MemoryItem>();
            foreach (var hit in hits)
            {
                if (await memories.GetAsync(tenantId, hit.Id, cancellationToken).ConfigureAwait(false) is { } m)
                {
                    found.Add(m);
                }
            }

            relevant = found;
        }

        var recent = await memories.ListAsync(tenantId, userId, null, null, includeHistory: false, limit * 2, null, cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _generation) == generation)
        {
            // Only what was read with no change in between is kept.
            if (_cache.Count >= MaxCachedUsers)
            {
                _cache.Clear();
            }

            _cache[key] = (relevant, recent);
        }

        return (relevant, recent);
    }

    private void EnsureSubscribed()
    {
        if (_subscription is not null)
        {
            return;
        }

        lock (_cache)
        {
            _subscription ??= changes.Subscribe(notice =>
            {
                if (notice.Topic.StartsWith("user:", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _generation);
                    var userId = notice.Topic["user:".Length..];
                    foreach (var key in _cache.Keys.Where(k => k.UserId == userId))
                    {
                        _cache.TryRemove(key, out _);
                    }
                }
            });
        }
    }

    /// <inheritdoc />
    public void Dispose() => _subscription?.Dispose();

    private async Task RecordAsync(string sessionId, string userId, List<MemoryItem> chosen, CancellationToken cancellationToken)
    {
        if (_recorded.ContainsKey(sessionId))
        {
            return;
        }

        try
        {
            var metadata = JsonSerializer.SerializeToElement(new { userId, memoryCount = chosen.Count, memoryIds = chosen.Select(m => m.Id) }, JsonDefaults.Options);
            await sessions.AppendAsync(sessionId, new NewEvent
            {
                Type = EventType.State,
                Role = EventRole.System,
                Name = LoadedEventName,
                Content = $"Loaded {chosen.Count} memories for user {userId}.",
                Metadata = metadata,
                IdempotencyKey = LoadedEventName,
            }, cancellationToken).ConfigureAwait(false);
            if (_recorded.Count >= RememberedSessions)
            {
                _recorded.Clear();
            }

            _recorded[sessionId] = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A closed or expired session cannot take the record; its context is still built.
            LogRecordFailed(logger, sessionId, ex.Message);
            _recorded[sessionId] = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "memory_loaded was not recorded for {SessionId}: {Reason}")]
    private static partial void LogRecordFailed(ILogger logger, string sessionId, string reason);
}
