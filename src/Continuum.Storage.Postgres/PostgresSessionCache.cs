using Continuum.Realtime;
using Continuum.Sessions;

namespace Continuum.Storage.Postgres;

/// <summary>
/// Each node's hot-session cache: the most recently read sessions (LRU, 1,000 by default) with the version of
/// their row (PostgreSQL's <c>xmin</c>, new on every change). A read checks the version with a one-column query
/// and answers from the cache when it is unchanged, so what it returns is never older than the database, whichever
/// node changed it; change notices from every node (appends, closes) drop entries at once, so the cache does not
/// hold what is known to be stale.
/// </summary>
public sealed class PostgresSessionCache : ISessionCacheReport, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, string Id), LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recent = new();
    private readonly IDisposable? _subscription;
    private long _hits;
    private long _misses;
    private long _invalidations;

    /// <summary>A cache of <paramref name="capacity"/> sessions, dropping what <paramref name="changes"/> announces.</summary>
    public PostgresSessionCache(int capacity = DefaultCapacity, IChangeFeed? changes = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _subscription = changes?.Subscribe(notice =>
        {
            if (notice.Topic.StartsWith("session:", StringComparison.Ordinal))
            {
                Invalidate(notice.Topic["session:".Length..]);
            }
        });
    }

    /// <summary>The default number of sessions held.</summary>
    public const int DefaultCapacity = 1000;

    /// <summary>The most sessions held.</summary>
    public int Capacity { get; }

    /// <summary>The cached session and its row version, if held.</summary>
    public bool TryGet(string tenantId, string sessionId, out Session session, out string version)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue((tenantId, sessionId), out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                (session, version) = (node.Value.Session, node.Value.Version);
                return true;
            }
        }

        (session, version) = (null!, "");
        return false;
    }

    /// <summary>Holds <paramref name="session"/> at <paramref name="version"/>, letting the least recently read go.</summary>
    public void Put(string tenantId, Session session, string version)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_lock)
        {
            var key = (tenantId, session.Id);
            if (_entries.Remove(key, out var old))
            {
                _recent.Remove(old);
            }

            _entries[key] = _recent.AddFirst(new Entry(key, session, version));
            while (_entries.Count > Capacity && _recent.Last is { } last)
            {
                _recent.RemoveLast();
                _entries.Remove(last.Value.Key);
            }
        }
    }

    /// <summary>Drops the session (in every tenant) from the cache.</summary>
    public void Invalidate(string sessionId)
    {
        lock (_lock)
        {
            foreach (var node in _recent.Where(e => e.Key.Id == sessionId).ToList())
            {
                _recent.Remove(node);
                _entries.Remove(node.Key);
                _invalidations++;
            }
        }
    }

    /// <summary>Counts a read answered from the cache.</summary>
    public void Hit() => Interlocked.Increment(ref _hits);

    /// <summary>Counts a read that fetched the row.</summary>
    public void Miss() => Interlocked.Increment(ref _misses);

    /// <inheritdoc />
    public SessionCacheStats Snapshot()
    {
        lock (_lock)
        {
            return new SessionCacheStats(Capacity, _entries.Count, Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), _invalidations);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _subscription?.Dispose();

    private sealed record Entry((string Tenant, string Id) Key, Session Session, string Version);
}
