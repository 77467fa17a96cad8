using Continuum.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Continuum.Hosting;

/// <summary>Brings the store's schema up to date before the host starts serving.</summary>
public sealed partial class StoreMigrationService(IStoreMigrator migrator, ILogger<StoreMigrationService> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var report = await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
        LogMigrated(logger, report.Store, report.FromVersion, report.ToVersion);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Store {Store} at schema version {To} (was {From})")]
    private static partial void LogMigrated(ILogger logger, string store, int from, int to);
}
