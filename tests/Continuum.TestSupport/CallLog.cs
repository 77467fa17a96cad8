namespace Continuum.Testing;

/// <summary>What a fake server was sent, in order, with a wait that wakes on each new entry instead of polling.</summary>
public sealed class CallLog<T>
{
    private readonly List<T> _items = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<T> Snapshot()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        TaskCompletionSource changed;
        lock (_items)
        {
            _items.Add(item);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Waits until <paramref name="count"/> entries match <paramref name="predicate"/> and returns them (fails after 30 seconds).</summary>
    public async Task<IReadOnlyList<T>> WaitForAsync(Func<T, bool> predicate, int count = 1)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            Task changed;
            lock (_items)
            {
                var matching = _items.Where(predicate).ToList();
                if (matching.Count >= count)
                {
                    return matching;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Waited 30 s for {count} matching calls; got {Snapshot().Count(predicate)} of {Snapshot().Count}.");
            }
        }
    }
}
