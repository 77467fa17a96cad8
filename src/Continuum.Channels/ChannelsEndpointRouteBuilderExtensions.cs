using Continuum.AspNetCore.Security;
using Continuum.Channels.Discord;
using Continuum.Channels.Telegram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Continuum.Channels;

/// <summary>Maps the channels' endpoints.</summary>
public static class ChannelsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST /channels/telegram/webhook</c> when the Telegram bot runs in webhook mode and
    /// <c>POST /channels/discord/interactions</c> when the Discord bot is configured; nothing when neither is. Both are
    /// outside the API keys' check: each verifies its caller itself (the webhook secret, the Ed25519 signature).
    /// </summary>
    public static IEndpointRouteBuilder MapContinuumChannels(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetService<IOptions<ChannelsOptions>>()?.Value;
        if (options is null)
        {
            return endpoints;
        }

        if (options.Telegram.Enabled && options.Telegram.IsWebhook)
        {
            endpoints.MapPost(TelegramWebhook.Path, (HttpContext http, TelegramBot bot, IOptions<ChannelsOptions> o, CancellationToken cancellationToken) =>
                TelegramWebhook.HandleAsync(http, bot, o, cancellationToken)).ExcludeFromDescription().AllowAnonymousAccess();
        }

        if (options.Discord.Enabled)
        {
            endpoints.MapPost(DiscordInteractions.Path, (HttpContext http, DiscordInteractions interactions, CancellationToken cancellationToken) =>
                interactions.HandleAsync(http, cancellationToken)).ExcludeFromDescription().AllowAnonymousAccess();
        }

        return endpoints;
    }
}
