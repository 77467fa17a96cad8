using Microsoft.Extensions.AI;

namespace Continuum.Context;

/// <summary>
/// Asks a chat model for the entities of a stretch of conversation. It runs in the background compressor, on
/// the text being folded, never on the append path; what it finds adds to the built-in extractor's counts.
/// </summary>
public sealed class ChatClientEntityExtractor(IChatClient chat)
{
    private static readonly HashSet<string> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        "person", "name", "host", "service", "project", "version", "quantity", "path", "url", "command", "place", "organization",
    };

    /// <summary>The entities the model names, one per line as <c>kind: name</c>; unparseable lines are skipped.</summary>
    public async Task<IReadOnlyList<EntityMention>> ExtractAsync(string text, CancellationToken cancellationToken)
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System,
                "List the entities in the conversation: people, places, organizations, projects, hosts, services, versions, " +
                "paths, URLs, commands and numbers with units. One per line as 'kind: name' where kind is one of " +
                string.Join(", ", Kinds) + ". No other text."),
            new(ChatRole.User, text),
        ];
        var response = await chat.GetResponseAsync(messages, new ChatOptions { Temperature = 0 }, cancellationToken).ConfigureAwait(false);
        var found = new List<EntityMention>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in (response.Text ?? "").Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var kind = line[..colon].Trim().TrimStart('-', '*', ' ').ToLowerInvariant();
            var name = line[(colon + 1)..].Trim().Trim('"', '`');
            if (Kinds.Contains(kind) && name.Length is > 1 and <= 200 && seen.Add(name))
            {
                found.Add(new EntityMention(name, kind == "person" ? "person" : kind));
            }
        }

        return found;
    }
}
