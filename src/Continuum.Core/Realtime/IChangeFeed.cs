namespace Continuum.Realtime;

/// <summary>
/// A wake-up signal that something changed under a topic, delivered to every subscriber on every node.
/// Notices carry no data that must not be lost: subscribers read what changed from the store, so a notice
/// that is dropped only delays delivery until the next one or the next poll.
/// </summary>
/// <remarks>
/// Topics are <c>kind:id</c> strings, for example <c>session:ses_1</c> (new events), <c>inbox:ses_2</c>
/// (hub messages), <c>memory:project-x</c> (shared-memory namespace), <c>cache:session:ses_1</c>
/// (hot-cache invalidation). The in-process feed serves one node; the PostgreSQL store replaces it with
/// one over LISTEN/NOTIFY so notices cross nodes.
/// </remarks>
public interface IChangeFeed
{
    /// <summary>Announces a change; returns once the notice is handed to the transport.</summary>
    ValueTask PublishAsync(ChangeNotice notice, CancellationToken cancellationToken = default);

    /// <summary>Calls <paramref name="handler"/> for every notice until the returned handle is disposed.</summary>
    IDisposable Subscribe(Action<ChangeNotice> handler);
}

/// <summary>One change: its topic, what happened, and an optional position (a seq, a version, a message id).</summary>
public sealed record ChangeNotice(string Topic, string Kind, long? Position = null, string? Origin = null);
