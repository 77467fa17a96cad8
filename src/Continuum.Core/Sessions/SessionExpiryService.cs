using Continuum.Hosting;
using Continuum.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Sessions;

/// <summary>Marks sessions whose expiry has passed as expired, every cleanup interval.</summary>
public sealed partial class SessionExpiryService(
    ISessionStore sessions,
    IClusterLease lease,
    IOptions<ContinuumOptions> options,
    TimeProvider time,
    ILogger<SessionExpiryService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Sessions.CleanupInterval, time);
        do
        {
            try
            {
                // One node of a cluster sweeps at a time.
                var held = await lease.TryAcquireAsync("session-expiry", stoppingToken).ConfigureAwait(false);
                if (held is not null)
                {
                    await using (held.ConfigureAwait(false))
                    {
                        var expired = await sessions.ExpireDueAsync(time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                        if (expired > 0)
                        {
                            LogExpired(logger, expired);
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One failed sweep must not stop the next; the sessions are still expired on read.
                LogSweepFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Marked {Count} sessions expired")]
    private static partial void LogExpired(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expiry sweep failed; will try again next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
