using Continuum.Stats;
using Continuum.Storage;

namespace Continuum.Sessions;

/// <summary>Sessions and the links between them. Every call is atomic.</summary>
public interface ISessionStore
{
    /// <summary>
    /// Resumes the most recently active, unexpired, active or inactive session matching
    /// <paramref name="resumeKey"/> (updating its interface fields) or, when there is none or
    /// <paramref name="resumeKey"/> is null, inserts <paramref name="candidate"/>.
    /// </summary>
    Task<OpenSessionResult> OpenAsync(string tenantId, Session candidate, ResumeKey? resumeKey, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The session, or null.</summary>
    Task<Session?> GetAsync(string tenantId, string sessionId, CancellationToken cancellationToken);

    /// <summary>Sessions matching the query, newest first, paged by cursor.</summary>
    Task<Page<Session>> ListAsync(string tenantId, SessionQuery query, CancellationToken cancellationToken);

    /// <summary>Replaces the session with <paramref name="update"/> of it, atomically; null when it does not exist.</summary>
    Task<Session?> UpdateAsync(string tenantId, string sessionId, Func<Session, Session> update, CancellationToken cancellationToken);

    /// <summary>Deletes the session, its events and its links; false when it did not exist.</summary>
    Task<bool> DeleteAsync(string tenantId, string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a session derived from <paramref name="parentId"/> (a continuation or a fork) in one transaction:
    /// the child made by <paramref name="makeChild"/> from the parent and its last events, a link of
    /// <paramref name="linkType"/>, and for a fork a copy of the parent's events up to <paramref name="forkAtSeq"/>.
    /// </summary>
    Task<Session> DeriveAsync(string tenantId, string parentId, string linkType, long? forkAtSeq, int lastMessages,
        Func<Session, IReadOnlyList<SessionEvent>, Session> makeChild, CancellationToken cancellationToken);

    /// <summary>Links from and to the session.</summary>
    Task<IReadOnlyList<SessionLink>> GetLinksAsync(string tenantId, string sessionId, int limit, ListCursor? after, CancellationToken cancellationToken);

    /// <summary>Marks every active or inactive session whose expiry has passed as expired; returns how many.</summary>
    Task<int> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Totals over the tenant's sessions.</summary>
    Task<SessionStats> GetStatsAsync(string tenantId, CancellationToken cancellationToken);
}
