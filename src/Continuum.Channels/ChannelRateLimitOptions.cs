namespace Continuum.Channels;

/// <summary>
/// A flood guard per chat: at most <see cref="Messages"/> messages in each <see cref="Window"/>. Messages over it are
/// not recorded or answered; the chat gets one polite answer per window.
/// </summary>
public sealed class ChannelRateLimitOptions
{
    /// <summary>Messages a chat may send in one window (default 20).</summary>
    public int Messages { get; set; } = 20;

    /// <summary>The window (default one minute).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
