using System.Threading.Channels;
using Continuum.Realtime;
using Continuum.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Memory;

/// <summary>
/// Writes a session's conversation memory when it is closed (at once) or goes idle (at the next sweep). The sweep
/// asks the store for sessions whose memory is missing or older than their last activity, so a crash before a
/// memory was written only delays it: the next sweep writes it.
/// </summary>
public sealed partial class ConversationMemoryService(
    IServiceProvider services,
    IMemoryStore store,
    Hosting.IClusterLease lease,
    IChangeFeed changes,
    IOptions<ContinuumOptions> options,
    TimeProvider time,
    ILogger<ConversationMemoryService> logger) : BackgroundService
{
    private const int SweepBatch = 100;

    private readonly Channel<(string TenantId, string SessionId)> _closed = Channel.CreateBounded<(string, string)>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var memory = options.Value.Memory;
        if (!memory.ConversationMemories)
        {
            return;
        }

        using var subscription = changes.Subscribe(n =>
        {
            if (n.Kind is "session_closed" or "session_inactive" && n.Topic.StartsWith("session:", StringComparison.Ordinal) && n.Origin is { } tenantId)
            {
                _closed.Writer.TryWrite((tenantId, n.Topic["session:".Length..]));
            }
        });

        using var timer = new PeriodicTimer(memory.SweepInterval, time);
        var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        while (!stoppingToken.IsCancellationRequested)
        {
            var closed = _closed.Reader.WaitToReadAsync(stoppingToken).AsTask();
            var done = await Task.WhenAny(tick, closed).ConfigureAwait(false);
            if (done == tick)
            {
                if (!await tick.ConfigureAwait(false))
                {
                    return;
                }

                await SweepAsync(memory, stoppingToken).ConfigureAwait(false);
                tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            }

            while (_closed.Reader.TryRead(out var session))
            {
                await RememberAsync(session.TenantId, session.SessionId, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SweepAsync(MemoryOptions memory, CancellationToken cancellationToken)
    {
        try
        {
            var held = await lease.TryAcquireAsync("conversation-memory-sweep", cancellationToken).ConfigureAwait(false);
            if (held is null)
            {
                return;
            }

            await using (held.ConfigureAwait(false))
            {
                var due = await store.SessionsNeedingConversationMemoryAsync(time.GetUtcNow() - memory.IdleAfter, SweepBatch, cancellationToken).ConfigureAwait(false);
                foreach (var (tenantId, sessionId) in due)
                {
                    await RememberAsync(tenantId, sessionId, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSweepFailed(logger, ex);
        }
    }

    private async Task RememberAsync(string tenantId, string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            if (tenantId != services.GetRequiredService<ITenantContext>().TenantId)
            {
                // This node serves one tenant; another tenant's sessions are remembered by the nodes that serve it.
                return;
            }

            var written = await services.GetRequiredService<IMemoryService>().RememberConversationAsync(sessionId, cancellationToken).ConfigureAwait(false);
            if (written is not null)
            {
                LogWritten(logger, sessionId, written.Id);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWriteFailed(logger, sessionId, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Conversation memory of {SessionId} written as {MemoryId}")]
    private static partial void LogWritten(ILogger logger, string sessionId, string memoryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conversation memory of {SessionId} could not be written; the next sweep tries again")]
    private static partial void LogWriteFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idle-session sweep failed; will try again next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
