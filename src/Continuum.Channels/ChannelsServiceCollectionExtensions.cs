using Continuum.Channels.Discord;
using Continuum.Channels.Telegram;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace Continuum.Channels;

/// <summary>Registers the chat channels that configuration turns on.</summary>
public static class ChannelsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="ChannelsOptions"/> from <c>Continuum:Channels</c> and adds the channels whose keys are set: the
    /// Telegram bot when <c>Telegram:Token</c> is (long polling in the background, or the webhook endpoint), the
    /// Discord bot when <c>Discord:PublicKey</c> is (the interactions endpoint, and the mention reader when
    /// <c>Discord:MentionChannels</c> are named). Unusable settings throw here, at start, saying what to set. Needs
    /// Continuum's services (<c>AddContinuum</c>) and its answering pipeline. Calling it twice is harmless.
    /// </summary>
    public static IServiceCollection AddContinuumChannels(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ChannelsOptions.SectionName);
        var settings = section.Get<ChannelsOptions>() ?? new ChannelsOptions();
        if (settings.Problems() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        if (services.Any(d => d.ServiceType == typeof(ChannelConversation)))
        {
            return services;
        }

        services.AddOptions<ChannelsOptions>().Bind(section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ChannelRateLimiter>();
        services.TryAddSingleton<ChannelConversation>();
        if (settings.Telegram.Enabled)
        {
            services.TryAddSingleton<ITelegramBotClient>(sp => CreateTelegramClient(sp.GetRequiredService<IOptions<ChannelsOptions>>().Value.Telegram));
            services.TryAddSingleton<TelegramBot>();
            if (!settings.Telegram.IsWebhook)
            {
                services.AddHostedService<TelegramPolling>();
            }
        }

        if (settings.Discord.Enabled)
        {
            services.TryAddSingleton(sp => new DiscordSignature(sp.GetRequiredService<IOptions<ChannelsOptions>>().Value.Discord.PublicKey!));
            // An HttpClient of its own, without IHttpClientFactory's logging: Discord's webhook URLs carry the interaction's token.
            services.TryAddSingleton(sp => new DiscordApi(
                new HttpClient { Timeout = TimeSpan.FromSeconds(30) },
                sp.GetRequiredService<IOptions<ChannelsOptions>>().Value.Discord,
                sp.GetRequiredService<TimeProvider>()));
            services.TryAddSingleton<DiscordWorkQueue>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<DiscordWorkQueue>());
            services.TryAddSingleton<DiscordInteractions>();
            if (settings.Discord.MentionChannels.Count > 0)
            {
                services.AddHostedService<DiscordMentionReader>();
            }
        }

        return services;
    }

    // The Bot API's URLs carry the token, so the client gets an HttpClient of its own that logs nothing.
    private static TelegramBotClient CreateTelegramClient(TelegramOptions options)
    {
        TelegramBotClientOptions clientOptions;
        try
        {
            clientOptions = new TelegramBotClientOptions(options.Token!.Trim(), string.IsNullOrWhiteSpace(options.BaseUrl) ? null : options.BaseUrl.Trim());
        }
        catch (ArgumentException)
        {
            throw new InvalidOperationException("Continuum:Channels:Telegram:Token or :BaseUrl is not in the form the Bot API takes (a BotFather token; an http(s) address).");
        }

        var timeout = TimeSpan.FromSeconds(options.PollTimeoutSeconds + 30);
        return new TelegramBotClient(clientOptions, new HttpClient { Timeout = timeout });
    }
}
