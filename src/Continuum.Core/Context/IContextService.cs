using Continuum.Storage;

namespace Continuum.Context;

/// <summary>What a session sends a model, and the operations that shape it.</summary>
public interface IContextService
{
    /// <summary>The session's context within <paramref name="budget"/> tokens (default: its token limit).</summary>
    Task<SessionContext> BuildAsync(string sessionId, string? query = null, int? budget = null, CancellationToken cancellationToken = default);

    /// <summary>Hides the session's messages so far from its context; summaries stay.</summary>
    Task ClearAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Folds the older part of the session into a summary now; returns how many summaries were written.</summary>
    Task<int> SummarizeAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>The session's current summaries, oldest first.</summary>
    Task<IReadOnlyList<Summary>> GetSummariesAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>A page of the session's current summaries, oldest first; pass the page's <c>Next</c> as <paramref name="cursor"/> for the next one.</summary>
    Task<Page<Summary>> ListSummariesAsync(string sessionId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>A page of the user's entities, most recently seen first; pass the page's <c>Next</c> as <paramref name="cursor"/> for the next one.</summary>
    Task<Page<UserEntity>> GetUserEntitiesAsync(string userId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default);
}
