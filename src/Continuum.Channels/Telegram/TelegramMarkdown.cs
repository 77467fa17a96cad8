using System.Text;

namespace Continuum.Channels.Telegram;

/// <summary>
/// Telegram's MarkdownV2 escaping: every character the format reserves is preceded by a backslash, so the text shows
/// exactly as the model wrote it (its own Markdown marks included) and never makes the Bot API refuse the message.
/// </summary>
internal static class TelegramMarkdown
{
    /// <summary>The characters MarkdownV2 reserves outside entities, the backslash among them.</summary>
    public const string Reserved = "_*[]()~`>#+-=|{}.!\\";

    /// <summary><paramref name="text"/> with each reserved character escaped.</summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (Reserved.Contains(c, StringComparison.Ordinal))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
