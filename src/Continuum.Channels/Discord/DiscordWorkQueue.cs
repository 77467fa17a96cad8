using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Continuum.Channels.Discord;

/// <summary>
/// Runs the answers to deferred interactions after their acknowledgement went out, eight at a time, so a slow model
/// never holds the interactions endpoint (Discord wants its answer within three seconds; follow-ups may come for
/// fifteen minutes).
/// </summary>
internal sealed partial class DiscordWorkQueue(ILogger<DiscordWorkQueue> logger) : BackgroundService
{
    private readonly Channel<Func<CancellationToken, Task>> _queue = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _slots = new(8);

    public void Enqueue(Func<CancellationToken, Task> work) => _queue.Writer.TryWrite(work);

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                _ = RunAsync(work, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        try
        {
            await work(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, ex);
        }
        finally
        {
            _slots.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord: answering an interaction failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
