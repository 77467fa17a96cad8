namespace Continuum.Channels.Discord;

/// <summary>The Discord bot's settings (<c>Continuum:Channels:Discord</c>).</summary>
public sealed class DiscordOptions
{
    /// <summary>Discord's HTTP API, version 10.</summary>
    public const string DefaultBaseUrl = "https://discord.com/api/v10";

    /// <summary>The application id from the developer portal (needed to register the slash commands).</summary>
    public string? ApplicationId { get; set; }

    /// <summary>The application's public key (64 hex digits) that every interaction is signed for. The bot runs when it is set.</summary>
    public string? PublicKey { get; set; }

    /// <summary>The bot's token (keep it in the environment: <c>Continuum__Channels__Discord__BotToken</c>): registering commands and answering mentions need it.</summary>
    public string? BotToken { get; set; }

    /// <summary>Discord's HTTP API address (default <see cref="DefaultBaseUrl"/>).</summary>
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>Channel ids whose messages are read for mentions of the bot (needs <see cref="BotToken"/>); none by default.</summary>
    public IList<string> MentionChannels { get; } = [];

    /// <summary>How often the mention channels are read (default 5 seconds).</summary>
    public TimeSpan MentionPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How far an interaction's signed <c>X-Signature-Timestamp</c> may be from now, either way (default 5 minutes):
    /// an older (or later) one is refused with 401, so a captured interaction cannot be replayed.
    /// </summary>
    public TimeSpan SignatureMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>True when a public key is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(PublicKey);

    /// <summary>What is wrong with these settings, each saying what to set.</summary>
    public IReadOnlyList<string> Problems()
    {
        if (!Enabled)
        {
            return [];
        }

        var problems = new List<string>();
        if (PublicKey!.Trim().Length != 64 || !PublicKey.Trim().All(char.IsAsciiHexDigit))
        {
            problems.Add("Continuum:Channels:Discord:PublicKey must be the application's public key from the developer portal: 64 hex digits.");
        }

        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out _))
        {
            problems.Add($"Continuum:Channels:Discord:BaseUrl '{BaseUrl}' is not an absolute URL (default {DefaultBaseUrl}).");
        }

        if (MentionChannels.Count > 0 && string.IsNullOrWhiteSpace(BotToken))
        {
            problems.Add("Continuum:Channels:Discord:MentionChannels needs Continuum:Channels:Discord:BotToken to read the channels.");
        }

        if (MentionPollInterval < TimeSpan.FromMilliseconds(100))
        {
            problems.Add("Continuum:Channels:Discord:MentionPollInterval must be at least 00:00:00.1.");
        }

        if (SignatureMaxAge < TimeSpan.FromSeconds(1))
        {
            problems.Add("Continuum:Channels:Discord:SignatureMaxAge must be at least 00:00:01.");
        }

        return problems;
    }
}
