namespace Continuum.Channels.Discord;

/// <summary>
/// Answers a deferred interaction: the first message replaces Discord's "thinking…" (the original response), the
/// rest follow up, each at most 2,000 characters.
/// </summary>
internal sealed class DiscordInteractionOutput(DiscordApi api, string applicationId, string interactionToken, bool ephemeral) : IChannelOutput
{
    /// <summary>Discord's limit on a message's content.</summary>
    public const int MaxLength = 2000;

    private int _sent;

    public int MaxMessageLength => MaxLength;

    // The deferred response already shows that the bot is thinking.
    public TimeSpan TypingInterval => TimeSpan.Zero;

    public Task SendAsync(string text, CancellationToken cancellationToken) =>
        Interlocked.Increment(ref _sent) == 1
            ? api.EditOriginalAsync(applicationId, interactionToken, text, cancellationToken)
            : api.FollowUpAsync(applicationId, interactionToken, text, ephemeral, cancellationToken);

    public Task TypingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Answers a message that mentioned the bot: replies in its channel, the first one referencing it, with the typing indicator meanwhile.</summary>
internal sealed class DiscordChannelOutput(DiscordApi api, string channelId, string messageId) : IChannelOutput
{
    private int _sent;

    public int MaxMessageLength => DiscordInteractionOutput.MaxLength;

    // Discord shows "typing…" for ten seconds.
    public TimeSpan TypingInterval => TimeSpan.FromSeconds(8);

    public Task SendAsync(string text, CancellationToken cancellationToken) =>
        api.CreateMessageAsync(channelId, text, Interlocked.Increment(ref _sent) == 1 ? messageId : null, cancellationToken);

    public Task TypingAsync(CancellationToken cancellationToken) => api.TriggerTypingAsync(channelId, cancellationToken);
}
