namespace Continuum.Sessions;

/// <summary>The append-only event log of each session.</summary>
public interface IEventStore
{
    /// <summary>
    /// Appends <paramref name="events"/> to the session, all or nothing, in order, with contiguous seq numbers,
    /// updating its counters and activity. An event whose idempotency key was seen before in the session is not
    /// stored again; its original comes back with <see cref="AppendResult.Existing"/> set. The rules are
    /// <see cref="AppendPlan"/>'s; the store reads the session and writes the plan's decision in one transaction.
    /// Returns once durable, with the session's unsummarized tokens after the append.
    /// </summary>
    /// <exception cref="Errors.NotFoundException">The session does not exist.</exception>
    /// <exception cref="Errors.ConflictException">The session is closed or expired.</exception>
    Task<AppendOutcome> AppendAsync(string tenantId, string sessionId, IReadOnlyList<EventRecord> events, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Events with seq greater than <paramref name="afterSeq"/>, in order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<SessionEvent>> ListAsync(string tenantId, string sessionId, long afterSeq, int limit, CancellationToken cancellationToken);
}
