namespace Continuum.Channels;

/// <summary>Where a conversation's replies go: one chat on one channel.</summary>
internal interface IChannelOutput
{
    /// <summary>The longest message the channel takes (Telegram 4,096, Discord 2,000).</summary>
    int MaxMessageLength { get; }

    /// <summary>How often the typing indicator is renewed while the model answers; zero for a channel that shows its own.</summary>
    TimeSpan TypingInterval { get; }

    /// <summary>Sends one message of at most <see cref="MaxMessageLength"/> characters.</summary>
    Task SendAsync(string text, CancellationToken cancellationToken);

    /// <summary>Shows that an answer is being written.</summary>
    Task TypingAsync(CancellationToken cancellationToken);
}
