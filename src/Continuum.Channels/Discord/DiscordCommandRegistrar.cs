namespace Continuum.Channels.Discord;

/// <summary>Registers the bot's slash commands (<c>ask</c>, <c>start</c>, <c>reset</c>, <c>link</c>, <c>continue</c>, <c>memories</c>, <c>forget</c>) with Discord.</summary>
public static class DiscordCommandRegistrar
{
    /// <summary>
    /// Overwrites the application's global commands with the bot's (Discord's bulk overwrite: commands it no longer
    /// has are removed) and returns how many Discord stored. Needs <see cref="DiscordOptions.ApplicationId"/> and
    /// <see cref="DiscordOptions.BotToken"/>.
    /// </summary>
    public static async Task<int> RegisterAsync(DiscordOptions options, HttpClient http, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        if (string.IsNullOrWhiteSpace(options.ApplicationId) || string.IsNullOrWhiteSpace(options.BotToken))
        {
            throw new InvalidOperationException("Registering commands needs Continuum:Channels:Discord:ApplicationId and Continuum:Channels:Discord:BotToken.");
        }

        var api = new DiscordApi(http, options, TimeProvider.System);
        return await api.OverwriteCommandsAsync(options.ApplicationId.Trim(), DiscordCommandCatalog.Definitions(), cancellationToken).ConfigureAwait(false);
    }
}
