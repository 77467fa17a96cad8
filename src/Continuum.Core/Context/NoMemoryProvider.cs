namespace Continuum.Context;

/// <summary>The memory provider used until long-term memory is configured: no memories.</summary>
public sealed class NoMemoryProvider : IMemoryProvider
{
    /// <inheritdoc />
    public Task<IReadOnlyList<ContextMemory>> GetMemoriesAsync(string tenantId, string? userId, string sessionId, string? query, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ContextMemory>>([]);
}
