using System.Text.Json.Nodes;

namespace Continuum.Channels;

/// <summary>A message a channel received, in the terms every channel shares.</summary>
/// <param name="Channel">The interface name: <c>telegram</c> or <c>discord</c>.</param>
/// <param name="ExternalUserId">The sender's id on the channel.</param>
/// <param name="DisplayName">The sender's name, kept when the user is first seen.</param>
/// <param name="ChatId">The chat's id on the channel: the session's interface id.</param>
/// <param name="MessageId">The channel's id of the message (unique in the chat), which makes a redelivery record once.</param>
/// <param name="Text">The text (a photo's caption), or empty.</param>
internal sealed record ChannelMessage(string Channel, string ExternalUserId, string? DisplayName, string ChatId, string MessageId, string Text)
{
    /// <summary>The channel's own fields recorded with the message (ids, attachments).</summary>
    public JsonObject Metadata { get; init; } = [];

    /// <summary>A short description of what the message carried when it has no text (<c>[photo]</c>).</summary>
    public string? Placeholder { get; init; }

    /// <summary>The idempotency key of the recorded message.</summary>
    public string IdempotencyKey => $"{Channel}:{ChatId}:{MessageId}";

    /// <summary>The key that names the chat (rate limits).</summary>
    public string ChatKey => $"{Channel}:{ChatId}";
}
