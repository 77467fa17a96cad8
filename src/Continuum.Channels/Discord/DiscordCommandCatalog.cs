using System.Text.Json.Nodes;

namespace Continuum.Channels.Discord;

/// <summary>The bot's slash commands: how they are registered and how an invocation reads as a chat message.</summary>
internal static class DiscordCommandCatalog
{
    private const int StringOption = 3;
    private const int BooleanOption = 5;

    /// <summary>The application commands as Discord's bulk overwrite takes them.</summary>
    public static JsonArray Definitions() =>
    [
        Command("ask", "Ask Continuum; it answers from your conversation and memories.", Option(StringOption, "message", "What to ask or tell", required: true)),
        Command("start", "What this bot does and its commands."),
        Command("reset", "Clear the messages from the context; the summary stays."),
        Command("link", "Show a one-time code to join another interface, or redeem one.", Option(StringOption, "code", "A code another interface showed you", required: false)),
        Command("continue", "Carry your conversation over to this channel."),
        Command("memories", "What Continuum remembers about you."),
        Command("forget", "Erase your memories (asks to confirm first).", Option(BooleanOption, "confirm", "True to go ahead", required: false)),
    ];

    /// <summary>
    /// The chat text an invocation stands for (<c>ask</c> is its message, the others their <c>/command</c> with the
    /// argument), or null for a command this bot does not have.
    /// </summary>
    public static string? ToText(string name, JsonArray? options)
    {
        string? Value(string option) => options?.OfType<JsonObject>().FirstOrDefault(o => (string?)o["name"] == option)?["value"]?.ToString();
        return name switch
        {
            "ask" => Value("message") ?? "",
            "link" => Value("code") is { Length: > 0 } code ? "/link " + code : "/link",
            "forget" => string.Equals(Value("confirm"), "true", StringComparison.OrdinalIgnoreCase) ? "/forget yes" : "/forget",
            "start" or "reset" or "continue" or "memories" => "/" + name,
            _ => null,
        };
    }

    /// <summary>Commands whose answers only the caller sees (a link code, their memories).</summary>
    public static bool IsPrivate(string name) => name is "link" or "memories" or "forget";

    private static JsonObject Command(string name, string description, params JsonObject[] options)
    {
        var command = new JsonObject { ["name"] = name, ["type"] = 1, ["description"] = description };
        if (options.Length > 0)
        {
            command["options"] = new JsonArray(options);
        }

        return command;
    }

    private static JsonObject Option(int type, string name, string description, bool required) =>
        new() { ["type"] = type, ["name"] = name, ["description"] = description, ["required"] = required };
}
