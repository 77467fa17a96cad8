using Telegram.Bot;
using Telegram.Bot.Types.Enums;

namespace Continuum.Channels.Telegram;

/// <summary>Replies to one Telegram chat: MarkdownV2-escaped text of at most 4,096 characters, and the typing action.</summary>
internal sealed class TelegramOutput(ITelegramBotClient bot, long chatId, int? threadId) : IChannelOutput
{
    /// <summary>The Bot API's limit on a message's text (counted after entities are parsed, so before escaping).</summary>
    public const int MaxLength = 4096;

    public int MaxMessageLength => MaxLength;

    // Telegram shows "typing…" for five seconds or until the next message.
    public TimeSpan TypingInterval => TimeSpan.FromSeconds(4);

    public Task SendAsync(string text, CancellationToken cancellationToken) =>
        bot.SendMessage(chatId, TelegramMarkdown.Escape(text), ParseMode.MarkdownV2, messageThreadId: threadId, cancellationToken: cancellationToken);

    public Task TypingAsync(CancellationToken cancellationToken) =>
        bot.SendChatAction(chatId, ChatAction.Typing, threadId, cancellationToken: cancellationToken);
}
