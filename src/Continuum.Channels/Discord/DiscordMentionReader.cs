using System.Globalization;
using System.Text.Json.Nodes;
using Continuum.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Channels.Discord;

/// <summary>
/// Answers messages that mention the bot in <c>Continuum:Channels:Discord:MentionChannels</c>. Discord pushes
/// messages only over its Gateway (a WebSocket session with heartbeats, resumes and intents, which is a library's
/// worth of protocol), so this reads the channels over the HTTP API instead, every
/// <c>MentionPollInterval</c>: from the newest message at start on, a message that mentions the bot is answered in
/// the channel, replying to it. Messages that mention the bot carry their content without the privileged
/// message-content intent. Only the node holding the <c>channels-discord-mentions</c> cluster lease reads
/// (<see cref="ChannelLease"/>); the position it read up to is kept in memory, so a node that takes the reading
/// over (or a restart) starts again from the newest message, and mentions written in between are not answered.
/// </summary>
internal sealed partial class DiscordMentionReader(
    DiscordApi api,
    ChannelConversation conversation,
    IClusterLease lease,
    IOptions<ChannelsOptions> options,
    TimeProvider clock,
    ILogger<DiscordMentionReader> logger) : BackgroundService
{
    /// <summary>The cluster lease the reading node holds.</summary>
    public const string LeaseName = "channels-discord-mentions";

    private readonly Dictionary<string, string> _after = new(StringComparer.Ordinal);
    private string? _botId;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        ChannelLease.RunWhileHeldAsync(lease, LeaseName, options.Value.LeaseRetryInterval, clock, ReadAsync, () => LogWaiting(logger), stoppingToken);

    private async Task ReadAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Discord;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReadOnceAsync(settings.MentionChannels, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogReadFailed(logger, ex.GetType().Name, ex.Message);
            }

            try
            {
                await Task.Delay(settings.MentionPollInterval, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadOnceAsync(IEnumerable<string> channels, CancellationToken cancellationToken)
    {
        _botId ??= await api.GetBotUserIdAsync(cancellationToken).ConfigureAwait(false);
        foreach (var channel in channels)
        {
            if (!_after.TryGetValue(channel, out var after))
            {
                // What was said before the bot started is not answered.
                var latest = await api.GetMessagesAsync(channel, null, 1, cancellationToken).ConfigureAwait(false);
                _after[channel] = (string?)latest.FirstOrDefault()?["id"] ?? "0";
                continue;
            }

            var messages = await api.GetMessagesAsync(channel, after, 50, cancellationToken).ConfigureAwait(false);
            foreach (var message in messages.OfType<JsonObject>().OrderBy(m => Snowflake((string?)m["id"])))
            {
                var id = (string?)message["id"];
                if (id is null)
                {
                    continue;
                }

                _after[channel] = id;
                if (ToChannelMessage(message, channel, id) is { } mention)
                {
                    await conversation.HandleAsync(mention, new DiscordChannelOutput(api, channel, id), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private ChannelMessage? ToChannelMessage(JsonObject message, string channel, string id)
    {
        var author = message["author"];
        var authorId = (string?)author?["id"];
        if (authorId is null || authorId == _botId || author?["bot"] is JsonValue bot && bot.TryGetValue(out bool isBot) && isBot)
        {
            return null;
        }

        var mentioned = (message["mentions"] as JsonArray)?.Any(m => (string?)m?["id"] == _botId) == true;
        if (!mentioned)
        {
            return null;
        }

        var text = ((string?)message["content"] ?? "")
            .Replace($"<@{_botId}>", "", StringComparison.Ordinal)
            .Replace($"<@!{_botId}>", "", StringComparison.Ordinal)
            .Trim();
        if (text.Length == 0)
        {
            text = "/start";
        }

        return new ChannelMessage(DiscordInteractions.Interface, authorId, (string?)author!["global_name"] ?? (string?)author["username"], channel, id, text)
        {
            Metadata = new JsonObject
            {
                ["discord"] = new JsonObject { ["messageId"] = id, ["channelId"] = channel, ["guildId"] = (string?)message["guild_id"] },
            },
        };
    }

    private static ulong Snowflake(string? id) => ulong.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord: another node reads the mention channels; this one waits for the lease")]
    private static partial void LogWaiting(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord: reading the mention channels failed ({Error}: {Detail}); trying again at the next interval")]
    private static partial void LogReadFailed(ILogger logger, string error, string detail);
}
