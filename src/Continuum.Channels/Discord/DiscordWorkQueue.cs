using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Continuum.Channels.Discord;

/// <summary>
/// Runs the answers to deferred interactions after their acknowledgement went out, eight at a time and those of one
/// chat in the order they came, so a slow model never holds the interactions endpoint (Discord wants its answer
/// within three seconds; follow-ups may come for fifteen minutes) and a <c>/forget</c> is asked before it is confirmed.
/// </summary>
internal sealed partial class DiscordWorkQueue(ILogger<DiscordWorkQueue> logger) : BackgroundService
{
    private readonly Channel<(string Chat, Func<CancellationToken, Task> Work)> _queue =
        Channel.CreateUnbounded<(string, Func<CancellationToken, Task>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _slots = new(8);
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);

    public void Enqueue(string chat, Func<CancellationToken, Task> work) => _queue.Writer.TryWrite((chat, work));

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (chat, work) in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Task previous;
                lock (_tails)
                {
                    previous = _tails.GetValueOrDefault(chat) ?? Task.CompletedTask;
                    _tails[chat] = done.Task;
                }

                _ = RunAfterAsync(chat, previous, done, work, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RunAfterAsync(string chat, Task previous, TaskCompletionSource done, Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        try
        {
            // The chat's previous answer never faults: it only completes.
            await previous.ConfigureAwait(false);
            await work(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, ex);
        }
        finally
        {
            done.TrySetResult();
            lock (_tails)
            {
                if (_tails.TryGetValue(chat, out var tail) && tail == done.Task)
                {
                    _tails.Remove(chat);
                }
            }

            _slots.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord: answering an interaction failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
