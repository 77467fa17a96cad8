using Continuum.Channels.Discord;
using Continuum.Channels.Telegram;

namespace Continuum.Channels;

/// <summary>The chat channels' settings, bound from <c>Continuum:Channels</c>. A channel runs only when its key is set.</summary>
public sealed class ChannelsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Continuum:Channels";

    /// <summary>The Telegram bot (<c>Continuum:Channels:Telegram</c>); runs when its token is set.</summary>
    public TelegramOptions Telegram { get; set; } = new();

    /// <summary>The Discord bot (<c>Continuum:Channels:Discord</c>); runs when its public key is set.</summary>
    public DiscordOptions Discord { get; set; } = new();

    /// <summary>How many messages one chat may send (<c>Continuum:Channels:RateLimit</c>).</summary>
    public ChannelRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// How often a node that does not hold a reader's cluster lease (Telegram long polling, the Discord mention
    /// reader) asks for it again (<c>Continuum:Channels:LeaseRetryInterval</c>, default 15 seconds): after the
    /// holder stops, another node takes the reading over within this time.
    /// </summary>
    public TimeSpan LeaseRetryInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>What is wrong with these settings, each saying what to set; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        problems.AddRange(Telegram.Problems());
        problems.AddRange(Discord.Problems());
        if (RateLimit.Messages < 1)
        {
            problems.Add("Continuum:Channels:RateLimit:Messages must be at least 1.");
        }

        if (RateLimit.Window <= TimeSpan.Zero)
        {
            problems.Add("Continuum:Channels:RateLimit:Window must be a positive time span (for example 00:01:00).");
        }

        if (LeaseRetryInterval < TimeSpan.FromMilliseconds(100))
        {
            problems.Add("Continuum:Channels:LeaseRetryInterval must be at least 00:00:00.1.");
        }

        return problems;
    }
}
