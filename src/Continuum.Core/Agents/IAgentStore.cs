using System.Text.Json;

namespace Continuum.Agents;

/// <summary>The registry, the hub's messages and inboxes, and shared memory.</summary>
public interface IAgentStore
{
    /// <summary>Registers (or re-registers) an agent; its status becomes <c>active</c>. Created is true when the session was not registered before.</summary>
    Task<(Agent Agent, bool Created)> RegisterAsync(string tenantId, Agent agent, CancellationToken cancellationToken);

    /// <summary>The agent with its reported status, or null.</summary>
    Task<Agent?> GetAgentAsync(string tenantId, string sessionId, CancellationToken cancellationToken);

    /// <summary>Every registered agent (of a namespace), with reported statuses.</summary>
    Task<IReadOnlyList<Agent>> ListAgentsAsync(string tenantId, string? ns, CancellationToken cancellationToken);

    /// <summary>A heartbeat, optionally with a new status and task; false when the agent is not registered.</summary>
    Task<bool> TouchAsync(string tenantId, string sessionId, DateTimeOffset now, string? status, string? currentTask, bool setTask, CancellationToken cancellationToken);

    /// <summary>Stores a message and delivers it to <paramref name="recipients"/>' inboxes in one transaction.</summary>
    Task<HubMessage> SendAsync(string tenantId, HubMessage message, IReadOnlyList<string> recipients, CancellationToken cancellationToken);

    /// <summary>A message as sent (no recipient-specific fields), or null.</summary>
    Task<HubMessage?> GetMessageAsync(string tenantId, long messageId, CancellationToken cancellationToken);

    /// <summary>A session's inbox after a position, oldest first.</summary>
    Task<IReadOnlyList<HubMessage>> InboxAsync(string tenantId, string recipient, string? type, bool unacknowledgedOnly, long afterPosition, int limit, CancellationToken cancellationToken);

    /// <summary>Acknowledges a message for one recipient, or for all of them; the number of deliveries acknowledged.</summary>
    Task<int> AcknowledgeAsync(string tenantId, long messageId, string? recipient, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The messages of a thread with an id after <paramref name="afterId"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<HubMessage>> ThreadAsync(string tenantId, long threadId, long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>The last inbox position (0 when none).</summary>
    Task<long> LastInboxPositionAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the next version of a key. With <paramref name="expectedVersion"/>, only if the key's current version
    /// is that (0: the key has no live value); otherwise null and nothing is written. Created is true when the key had
    /// no live value before the write.
    /// </summary>
    Task<(SharedEntry Entry, bool Created)?> WriteSharedAsync(string tenantId, string ns, string key, string type, JsonElement? value, IReadOnlyList<string> tags, string author, DateTimeOffset now, DateTimeOffset? expiresAt, bool deleted, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>The key's current version number and whether it has a live value (not deleted, not expired).</summary>
    Task<(long Version, bool Live)> GetSharedVersionAsync(string tenantId, string ns, string key, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The kept versions of a key after <paramref name="afterVersion"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<SharedEntry>> GetSharedVersionsAsync(string tenantId, string ns, string key, long afterVersion, int limit, CancellationToken cancellationToken);

    /// <summary>The latest live version of each matching key in a namespace, by key (ordinal), keys after <paramref name="afterKey"/> only.</summary>
    Task<IReadOnlyList<SharedEntry>> SearchSharedAsync(string tenantId, string ns, string? glob, IReadOnlyList<string> tags, string? author, string? afterKey, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>The writes of a namespace after a stream position, oldest first.</summary>
    Task<IReadOnlyList<SharedEntry>> SharedAfterAsync(string tenantId, string ns, long afterPosition, int limit, CancellationToken cancellationToken);

    /// <summary>The last shared-memory position (0 when none).</summary>
    Task<long> LastSharedPositionAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Shared memory in numbers.</summary>
    Task<SharedStats> SharedStatsAsync(string tenantId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes versions that expired before <paramref name="before"/>; the number removed.</summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
