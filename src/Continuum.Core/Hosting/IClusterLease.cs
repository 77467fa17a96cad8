namespace Continuum.Hosting;

/// <summary>
/// Leases that make a background job run on one node of a cluster at a time. A lease lasts until it is disposed or
/// its node dies (the store releases it then), so a job that dies mid-way is simply taken up by another node; every
/// job's steps are transactions of their own, so nothing is left half-done.
/// </summary>
public interface IClusterLease
{
    /// <summary>The lease named <paramref name="name"/>, or null when another node holds it now.</summary>
    Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken);
}

/// <summary>The lease of a single node: every job may run (the in-process jobs never overlap themselves).</summary>
public sealed class SingleNodeLease : IClusterLease
{
    /// <inheritdoc />
    public Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable?>(Held.Instance);

    private sealed class Held : IAsyncDisposable
    {
        public static readonly Held Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
