using System.Text.Json;
using Continuum.Errors;
using Continuum.Json;

namespace Continuum.Sessions;

/// <summary>
/// The rules of an append, in one place for every store: a closed or expired session takes no more events unless
/// the request is a retry of appends it acknowledged (then each gets its original); an idempotency key seen before
/// in the session, or earlier in the same batch, answers with the stored event and stores nothing; the new events
/// take the next seq numbers with no gap; the counters grow by what they hold and the expiry slides.
/// A store reads the session (<see cref="AppendTarget"/>) and the events already stored under the request's
/// <see cref="Keys"/> inside its transaction, calls <see cref="Decide"/>, and writes the decision.
/// </summary>
public sealed class AppendPlan
{
    private readonly string _sessionId;

    private AppendPlan(string sessionId, IReadOnlyList<EventRecord> events)
    {
        _sessionId = sessionId;
        Events = events;
    }

    /// <summary>The plan of appending <paramref name="events"/> to the session <paramref name="sessionId"/>.</summary>
    public static AppendPlan For(string sessionId, IReadOnlyList<EventRecord> events)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(events);
        return new AppendPlan(sessionId, events);
    }

    /// <summary>The session appended to.</summary>
    public string SessionId => _sessionId;

    /// <summary>The events of the request, in order.</summary>
    public IReadOnlyList<EventRecord> Events { get; }

    /// <summary>The request's idempotency keys, each once: the store looks these up before <see cref="Decide"/>.</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            List<string>? keys = null;
            foreach (var e in Events)
            {
                if (e.IdempotencyKey is { } key && (keys ??= []).IndexOf(key) < 0)
                {
                    keys.Add(key);
                }
            }

            return keys ?? (IReadOnlyList<string>)[];
        }
    }

    /// <summary>What the events add to the session's counters when every one of them is new.</summary>
    public EventCounts Counts => EventCounts.Of(Events);

    /// <summary>An event's entity names as the JSON array the stores keep.</summary>
    public static string EntitiesJson(EventRecord e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Entities.Count == 0 ? "[]" : JsonSerializer.Serialize(e.Entities, JsonDefaults.Options);
    }

    /// <summary>
    /// Decides the append against the session as read (<paramref name="session"/>, null when it does not exist) and
    /// the events already stored under the request's keys (<paramref name="stored"/>, by key).
    /// </summary>
    /// <exception cref="NotFoundException">The session does not exist.</exception>
    /// <exception cref="ConflictException">The session is closed or expired and the request is not a retry.</exception>
    public AppendDecision Decide(AppendTarget? session, IReadOnlyDictionary<string, SessionEvent> stored, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (session is null)
        {
            throw new NotFoundException("Session", _sessionId);
        }

        var results = new AppendResult[Events.Count];
        if (SessionStatus.IsFinal(session.Status) || session.ExpiresAt <= now)
        {
            // A retry of appends acknowledged before the session closed still gets its originals.
            for (var i = 0; i < Events.Count; i++)
            {
                if (Events[i].IdempotencyKey is not { } key || !stored.TryGetValue(key, out var original))
                {
                    throw new ConflictException("session-closed",
                        $"Session '{_sessionId}' is {(session.Status == SessionStatus.Closed ? "closed" : "expired")} and takes no more events. Open a new session or continue this one.");
                }

                results[i] = new AppendResult(original, true);
            }

            return new AppendDecision { Results = results, Rows = [], Counts = default, LastSeq = session.LastSeq, ExpiresAt = session.ExpiresAt, Replay = true };
        }

        var rows = new List<AppendRow>(Events.Count);
        Dictionary<string, SessionEvent>? batch = null;
        var counts = default(EventCounts);
        var seq = session.LastSeq;
        for (var i = 0; i < Events.Count; i++)
        {
            var e = Events[i];
            if (e.IdempotencyKey is { } key && (stored.TryGetValue(key, out var existing) || (batch is not null && batch.TryGetValue(key, out existing))))
            {
                results[i] = new AppendResult(existing, true);
                continue;
            }

            seq++;
            var appended = e.ToEvent(_sessionId, seq, session.Interface);
            rows.Add(new AppendRow(e, seq, EntitiesJson(e)));
            results[i] = new AppendResult(appended, false);
            counts = counts.Add(e);
            if (e.IdempotencyKey is { } newKey)
            {
                (batch ??= new Dictionary<string, SessionEvent>(StringComparer.Ordinal))[newKey] = appended;
            }
        }

        return new AppendDecision { Results = results, Rows = rows, Counts = counts, LastSeq = seq, ExpiresAt = now.AddSeconds(session.ExpiresInSeconds) };
    }

    /// <summary>
    /// The answers when every event was new and the session's last seq after the append is <paramref name="lastSeq"/>:
    /// the path of a store that decided the append in one statement (a group commit), with no key stored before.
    /// </summary>
    public AppendOutcome Appended(long lastSeq, string interfaceName, long unsummarizedTokens, int tokenLimit)
    {
        var first = lastSeq - Events.Count + 1;
        var results = new AppendResult[Events.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = new AppendResult(Events[i].ToEvent(_sessionId, first + i, interfaceName), false);
        }

        return new AppendOutcome(results, unsummarizedTokens, tokenLimit);
    }
}
