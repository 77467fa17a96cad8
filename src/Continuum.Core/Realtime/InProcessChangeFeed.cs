using System.Collections.Immutable;

namespace Continuum.Realtime;

/// <summary>The single-node change feed: notices reach the subscribers of this process, synchronously.</summary>
public sealed class InProcessChangeFeed : IChangeFeed
{
    private ImmutableArray<Action<ChangeNotice>> handlers = [];

    /// <inheritdoc />
    public ValueTask PublishAsync(ChangeNotice notice, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notice);
        Deliver(notice);
        return ValueTask.CompletedTask;
    }

    /// <summary>Hands <paramref name="notice"/> to every subscriber; one that throws does not stop the others.</summary>
    public void Deliver(ChangeNotice notice)
    {
        foreach (var handler in handlers)
        {
            try
            {
                handler(notice);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A subscriber's fault is its own; the feed keeps delivering.
            }
        }
    }

    /// <inheritdoc />
    public IDisposable Subscribe(Action<ChangeNotice> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref handlers, h => h.Add(handler));
        return new Subscription(() => ImmutableInterlocked.Update(ref handlers, h => h.Remove(handler)));
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref dispose, null)?.Invoke();
    }
}
