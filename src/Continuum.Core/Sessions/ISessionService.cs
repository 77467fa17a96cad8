using Continuum.Storage;

namespace Continuum.Sessions;

/// <summary>
/// Sessions and their event logs. Served in-process (<see cref="SessionService"/>) and over HTTP
/// (the client library), so callers do not care which.
/// </summary>
public interface ISessionService
{
    /// <summary>Resumes the user's active session or creates one (see <see cref="OpenSessionRequest.Mode"/>).</summary>
    Task<OpenSessionResult> OpenAsync(OpenSessionRequest request, CancellationToken cancellationToken = default);

    /// <summary>The session, or null.</summary>
    Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Sessions matching the query, newest first.</summary>
    Task<Page<Session>> ListAsync(SessionQuery query, CancellationToken cancellationToken = default);

    /// <summary>Applies a partial update; JSON members merge.</summary>
    Task<Session> UpdateAsync(string sessionId, SessionPatch patch, CancellationToken cancellationToken = default);

    /// <summary>Deletes the session and its events; false when it did not exist.</summary>
    Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>A new session on another interface that carries this one's context, linked as a continuation.</summary>
    Task<Session> ContinueAsync(string sessionId, ContinueRequest request, CancellationToken cancellationToken = default);

    /// <summary>A new session holding this one's events up to a seq, linked as a fork.</summary>
    Task<Session> ForkAsync(string sessionId, ForkRequest request, CancellationToken cancellationToken = default);

    /// <summary>Links from and to the session.</summary>
    Task<Page<SessionLink>> GetLinksAsync(string sessionId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>Appends one event; a retry with the same idempotency key returns the original.</summary>
    Task<AppendResult> AppendAsync(string sessionId, NewEvent newEvent, CancellationToken cancellationToken = default);

    /// <summary>Appends several events, all or nothing.</summary>
    Task<IReadOnlyList<AppendResult>> AppendBatchAsync(string sessionId, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Events after a seq, in order.</summary>
    Task<Page<SessionEvent>> ListEventsAsync(string sessionId, long? after = null, int? limit = null, CancellationToken cancellationToken = default);
}
