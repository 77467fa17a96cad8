namespace Continuum.Context;

/// <summary>Supplies a user's long-term memories relevant to a session's current query.</summary>
public interface IMemoryProvider
{
    /// <summary>Up to <paramref name="limit"/> memory texts for the user, most relevant first; empty for anonymous sessions.</summary>
    Task<IReadOnlyList<ContextMemory>> GetMemoriesAsync(string tenantId, string? userId, string sessionId, string? query, int limit, CancellationToken cancellationToken);
}
