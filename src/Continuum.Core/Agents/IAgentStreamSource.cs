namespace Continuum.Agents;

/// <summary>What the live stream reads besides inboxes and events: shared-memory changes and the stream's ends.</summary>
public interface IAgentStreamSource
{
    /// <summary>A namespace's writes (and deletions) after a stream position, oldest first: what the live stream sends.</summary>
    Task<IReadOnlyList<SharedEntry>> SharedChangesAsync(string ns, long after, int limit, CancellationToken cancellationToken = default);

    /// <summary>The stream's current end for inboxes and shared memory: where a subscription without a cursor starts.</summary>
    Task<(long Inbox, long Shared)> StreamEndAsync(CancellationToken cancellationToken = default);
}
