namespace Continuum.Lifecycle;

/// <summary>What retention has removed from one tenant since the store was made, and when it last ran there.</summary>
/// <param name="Events">Events deleted (old events and those of deleted sessions).</param>
/// <param name="Sessions">Closed sessions deleted.</param>
/// <param name="Summaries">Summaries deleted.</param>
/// <param name="Memories">Long-term memories deleted.</param>
/// <param name="LastRunAt">When the job last ran over the tenant, or null if it never has.</param>
public sealed record RetentionTotals(long Events, long Sessions, long Summaries, long Memories, DateTimeOffset? LastRunAt)
{
    /// <summary>Nothing removed, never run.</summary>
    public static RetentionTotals None { get; } = new(0, 0, 0, 0, null);
}
