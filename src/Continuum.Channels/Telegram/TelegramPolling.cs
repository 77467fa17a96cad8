using Continuum.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace Continuum.Channels.Telegram;

/// <summary>
/// Long polling: asks the Bot API for updates (<c>getUpdates</c> with a timeout), handles each chat's updates in
/// order and the chats side by side, and only then confirms them (the next request's offset), so updates taken
/// when the process stops are fetched again at its next start; their idempotency keys record them once. Only the
/// node holding the <c>channels-telegram-polling</c> cluster lease polls (<see cref="ChannelLease"/>).
/// </summary>
internal sealed partial class TelegramPolling(
    ITelegramBotClient bot,
    TelegramBot handler,
    IClusterLease lease,
    IOptions<ChannelsOptions> options,
    TimeProvider clock,
    ILogger<TelegramPolling> logger) : BackgroundService
{
    /// <summary>The cluster lease the polling node holds.</summary>
    public const string LeaseName = "channels-telegram-polling";

    private static readonly UpdateType[] Wanted = [UpdateType.Message, UpdateType.EditedMessage];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        ChannelLease.RunWhileHeldAsync(lease, LeaseName, options.Value.LeaseRetryInterval, clock, PollAsync, () => LogWaiting(logger), stoppingToken);

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        int? offset = null;
        var failures = 0;
        var timeout = options.Value.Telegram.PollTimeoutSeconds;
        LogStarted(logger);
        while (!stoppingToken.IsCancellationRequested)
        {
            Update[] updates;
            try
            {
                updates = await bot.GetUpdates(offset, 100, timeout, Wanted, stoppingToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                var wait = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(failures, 5) - 1)));
                LogPollFailed(logger, ex.GetType().Name, ex.Message, wait.TotalSeconds);
                try
                {
                    await Task.Delay(wait, clock, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            if (updates.Length == 0)
            {
                continue;
            }

            await Task.WhenAll(updates.GroupBy(TelegramBot.ChatOf).Select(chat => HandleInOrderAsync(chat, stoppingToken))).ConfigureAwait(false);
            offset = updates.Max(u => u.Id) + 1;
        }
    }

    private async Task HandleInOrderAsync(IEnumerable<Update> updates, CancellationToken cancellationToken)
    {
        foreach (var update in updates)
        {
            try
            {
                await handler.HandleAsync(update, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // One update that cannot be handled must not hold back every later one.
                LogUpdateFailed(logger, ex, update.Id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram: long polling for updates")]
    private static partial void LogStarted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram: another node polls for updates; this one waits for the lease")]
    private static partial void LogWaiting(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram: getUpdates failed ({Error}: {Detail}); trying again in {Seconds} s")]
    private static partial void LogPollFailed(ILogger logger, string error, string detail, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telegram: update {UpdateId} could not be handled")]
    private static partial void LogUpdateFailed(ILogger logger, Exception exception, int updateId);
}
