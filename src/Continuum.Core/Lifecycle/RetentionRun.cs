namespace Continuum.Lifecycle;

/// <summary>What one retention run removed from one tenant.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Removed">How many records of each kind (<c>events</c>, <c>sessions</c>, <c>summaries</c>, <c>memories</c>, <c>embeddings</c>).</param>
public sealed record RetentionRun(string TenantId, IReadOnlyDictionary<string, long> Removed)
{
    /// <summary>True when the run removed something.</summary>
    public bool RemovedAnything => Removed.Values.Any(n => n > 0);
}
