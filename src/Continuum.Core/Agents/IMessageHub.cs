using Continuum.Storage;

namespace Continuum.Agents;

/// <summary>The hub: direct messages, broadcasts, threads and inboxes. A message is stored before it is acknowledged.</summary>
public interface IMessageHub
{
    /// <summary>Sends a direct message, a reply or (with no recipient) a broadcast. A ping is answered with a pong.</summary>
    Task<HubMessage> SendAsync(SendMessage message, CancellationToken cancellationToken = default);

    /// <summary>A message as sent (without a recipient's acknowledgement), or a not-found error.</summary>
    Task<HubMessage> GetMessageAsync(long messageId, CancellationToken cancellationToken = default);

    /// <summary>One page of a session's inbox, oldest first; <see cref="Page{T}.Next"/> is null on the last page.</summary>
    Task<Page<HubMessage>> InboxAsync(string sessionId, InboxQuery query, CancellationToken cancellationToken = default);

    /// <summary>Acknowledges a message for a recipient (or every recipient); the deliveries acknowledged.</summary>
    Task<int> AcknowledgeAsync(long messageId, string? sessionId = null, CancellationToken cancellationToken = default);

    /// <summary>One page of the thread a message belongs to, oldest first; a not-found error for an unknown message.</summary>
    Task<Page<HubMessage>> ThreadAsync(long messageId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default);
}
