using Continuum.Hosting;

namespace Continuum.Channels;

/// <summary>
/// Runs a channel's reader (Telegram's long polling, Discord's mention reader) only on the node that holds its cluster
/// lease, so several nodes on one database do not fetch the same updates and answer them twice. A node that does not
/// hold the lease asks again every <see cref="ChannelsOptions.LeaseRetryInterval"/>; the holder keeps the lease for as
/// long as it reads, and gives it up when it stops (or the store releases it when the node dies).
/// </summary>
internal static class ChannelLease
{
    /// <summary>
    /// Waits for the lease named <paramref name="name"/>, then runs <paramref name="read"/> while holding it, until
    /// <paramref name="stoppingToken"/> is cancelled. Returns when stopping.
    /// </summary>
    public static async Task RunWhileHeldAsync(
        IClusterLease lease,
        string name,
        TimeSpan retry,
        TimeProvider clock,
        Func<CancellationToken, Task> read,
        Action waiting,
        CancellationToken stoppingToken)
    {
        var told = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            IAsyncDisposable? held;
            try
            {
                held = await lease.TryAcquireAsync(name, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (held is not null)
            {
                await using (held.ConfigureAwait(false))
                {
                    await read(stoppingToken).ConfigureAwait(false);
                }

                return;
            }

            if (!told)
            {
                waiting();
                told = true;
            }

            try
            {
                await Task.Delay(retry, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
