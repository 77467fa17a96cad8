using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Agents;

/// <summary>
/// Removes expired shared-memory versions every cleanup interval. Reads already hide them the moment they expire;
/// this only reclaims the space. Version numbers are kept apart from the rows, so a purge never reuses one.
/// </summary>
public sealed partial class SharedMemoryPurgeService(
    IAgentStore store,
    Hosting.IClusterLease lease,
    IOptions<ContinuumOptions> options,
    TimeProvider time,
    ILogger<SharedMemoryPurgeService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Sessions.CleanupInterval, time);
        do
        {
            try
            {
                var held = await lease.TryAcquireAsync("shared-memory-purge", stoppingToken).ConfigureAwait(false);
                if (held is not null)
                {
                    await using (held.ConfigureAwait(false))
                    {
                        var purged = await store.PurgeExpiredAsync(time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                        if (purged > 0)
                        {
                            LogPurged(logger, purged);
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPurgeFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired shared-memory versions")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared-memory purge failed; will try again next interval")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
