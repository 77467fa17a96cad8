using System.Text;
using Continuum.Tokens;
using Microsoft.Extensions.AI;

namespace Continuum.Context;

/// <summary>
/// Summarizes with a chat model through <see cref="IChatClient"/>. The caller falls back to the extractive
/// summarizer when this one fails; an answer over the token limit is cut at a line boundary.
/// </summary>
public sealed class ChatClientSummarizer(IChatClient chat, ITokenCounter tokens, string modelName) : ISummarizer
{
    /// <inheritdoc />
    public string Name => "llm:" + modelName;

    /// <inheritdoc />
    public async Task<string> SummarizeAsync(IReadOnlyList<SummarySource> items, int maxTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var transcript = new StringBuilder();
        foreach (var item in items)
        {
            transcript.Append(item.Type == "summary" ? "[earlier summary] " : $"[{item.Interface}] {item.Role}: ").Append(item.Content).Append('\n');
        }

        var words = Math.Max(20, maxTokens * 3 / 4);
        List<ChatMessage> messages =
        [
            new(ChatRole.System,
                "You compress conversations for a memory system. Write a summary as short bullet lines. Keep every " +
                "name, host, service, version, path and number with its unit; decisions and their reasons; " +
                "instructions exactly as given (e.g. 'restart gateway, then wait 30s'); findings; and open questions. " +
                $"Drop greetings and filler. At most {words} words. Answer with the summary only."),
            new(ChatRole.User, transcript.ToString()),
        ];
        var response = await chat.GetResponseAsync(messages, new ChatOptions { Temperature = 0 }, cancellationToken).ConfigureAwait(false);
        var text = response.Text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new InvalidOperationException("The model returned an empty summary.");
        }

        return Fit(text, maxTokens);
    }

    private string Fit(string text, int maxTokens)
    {
        if (tokens.Count(text) <= maxTokens)
        {
            return text;
        }

        var kept = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (tokens.Count(kept + line) + 1 > maxTokens)
            {
                break;
            }

            kept.Append(line).Append('\n');
        }

        return kept.ToString().TrimEnd();
    }
}
