using System.Globalization;
using System.Text.Json.Nodes;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace Continuum.Channels.Telegram;

/// <summary>
/// Turns a Telegram update into the shared conversation's terms: the sender's identity is <c>telegram</c> and
/// <c>from.id</c>, the chat id the session's interface id, a photo's or document's file ids the message's
/// attachments, an edited message an edit of the original. Updates from polling and from the webhook go through here.
/// </summary>
internal sealed class TelegramBot(ITelegramBotClient bot, ChannelConversation conversation)
{
    /// <summary>The interface name of the bot's identities and sessions.</summary>
    public const string Interface = "telegram";

    /// <summary>The chat an update belongs to (updates of one chat are handled in order), or null.</summary>
    public static long? ChatOf(Update update) => (update.Message ?? update.EditedMessage)?.Chat.Id;

    /// <summary>Handles one update; updates the bot does not act on are ignored.</summary>
    public async Task HandleAsync(Update update, CancellationToken cancellationToken)
    {
        if (update.Message is { From: { IsBot: false } } message)
        {
            var received = ToChannelMessage(message);
            if (received.Text.Length == 0 && received.Placeholder is null)
            {
                return; // a sticker, a location, a member joining: nothing to record
            }

            await conversation.HandleAsync(received, new TelegramOutput(bot, message.Chat.Id, message.MessageThreadId), cancellationToken).ConfigureAwait(false);
        }
        else if (update.EditedMessage is { From: { IsBot: false } } edited)
        {
            var version = (edited.EditDate ?? edited.Date).ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
            await conversation.RecordEditAsync(ToChannelMessage(edited), version, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ChannelMessage ToChannelMessage(Message message)
    {
        var from = message.From!;
        var name = string.Join(' ', new[] { from.FirstName, from.LastName }.Where(n => !string.IsNullOrWhiteSpace(n)));
        var metadata = new JsonObject
        {
            ["telegram"] = new JsonObject
            {
                ["chatId"] = message.Chat.Id,
                ["messageId"] = message.Id,
                ["chatType"] = message.Chat.Type.ToString().ToLowerInvariant(),
                ["fromId"] = from.Id,
                ["username"] = from.Username,
            },
        };
        var attachments = new JsonArray();
        string? placeholder = null;
        if (message.Photo is { Length: > 0 } sizes)
        {
            var largest = sizes.MaxBy(p => (long)p.Width * p.Height)!;
            attachments.Add(new JsonObject
            {
                ["kind"] = "photo",
                ["fileId"] = largest.FileId,
                ["fileUniqueId"] = largest.FileUniqueId,
                ["width"] = largest.Width,
                ["height"] = largest.Height,
                ["size"] = largest.FileSize,
            });
            placeholder = "[photo]";
        }

        if (message.Document is { } document)
        {
            attachments.Add(new JsonObject
            {
                ["kind"] = "document",
                ["fileId"] = document.FileId,
                ["fileUniqueId"] = document.FileUniqueId,
                ["fileName"] = document.FileName,
                ["mimeType"] = document.MimeType,
                ["size"] = document.FileSize,
            });
            placeholder = document.FileName is { Length: > 0 } file ? $"[document: {file}]" : "[document]";
        }

        if (attachments.Count > 0)
        {
            metadata["attachments"] = attachments;
        }

        return new ChannelMessage(
            Interface,
            from.Id.ToString(CultureInfo.InvariantCulture),
            name.Length > 0 ? name : from.Username,
            message.Chat.Id.ToString(CultureInfo.InvariantCulture),
            message.Id.ToString(CultureInfo.InvariantCulture),
            message.Text ?? message.Caption ?? "")
        {
            Metadata = metadata,
            Placeholder = placeholder,
        };
    }
}
