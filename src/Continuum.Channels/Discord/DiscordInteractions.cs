using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Channels.Discord;

/// <summary>
/// <c>POST /channels/discord/interactions</c>, the application's interactions endpoint. The Ed25519 signature is
/// checked before the body is read as JSON (401 and nothing written when it does not verify, or when its signed
/// <c>X-Signature-Timestamp</c> is further than <c>SignatureMaxAge</c> from now, so a captured request cannot be
/// replayed later); a PING is answered
/// PONG; a slash command is acknowledged at once as deferred (type 5) and answered after that through the
/// interaction's webhook: the original response edited, then follow-ups for what does not fit in 2,000 characters.
/// </summary>
internal sealed partial class DiscordInteractions(
    DiscordSignature signature,
    ChannelConversation conversation,
    DiscordApi api,
    DiscordWorkQueue work,
    IOptions<ChannelsOptions> options,
    TimeProvider clock,
    ILogger<DiscordInteractions> logger)
{
    /// <summary>The route.</summary>
    public const string Path = "/channels/discord/interactions";

    /// <summary>The interface name of the bot's identities and sessions.</summary>
    public const string Interface = "discord";

    /// <summary>The message flag that shows a message to the caller alone.</summary>
    public const int Ephemeral = 64;

    private const int MaxBodyBytes = 1 << 20;

    public async Task<IResult> HandleAsync(HttpContext http, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return TypedResults.Problem("An interaction is at most 1 MiB.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large.", type: "https://continuum.dev/problems/payload-too-large");
            }

            buffer.Write(chunk, 0, read);
        }

        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (!signature.Verify(http.Request.Headers["X-Signature-Ed25519"].ToString(), http.Request.Headers["X-Signature-Timestamp"].ToString(), body))
        {
            return ChannelProblems.Unauthorized("The interaction's X-Signature-Ed25519 does not verify with the application's public key.");
        }

        if (!IsFresh(http.Request.Headers["X-Signature-Timestamp"].ToString()))
        {
            return ChannelProblems.Unauthorized("The interaction's X-Signature-Timestamp is too far from now (Continuum:Channels:Discord:SignatureMaxAge).");
        }

        JsonObject? interaction;
        try
        {
            interaction = JsonNode.Parse(body.ToArray()) as JsonObject;
        }
        catch (JsonException)
        {
            interaction = null;
        }

        if (interaction is null)
        {
            return ChannelProblems.Malformed("The body is not a Discord interaction (a JSON object).");
        }

        return Number(interaction["type"]) switch
        {
            1 => TypedResults.Json(new JsonObject { ["type"] = 1 }),
            2 => Command(http, interaction),
            _ => ChannelProblems.Unsupported("This endpoint answers PING (1) and APPLICATION_COMMAND (2) interactions."),
        };
    }

    private IResult Command(HttpContext http, JsonObject interaction)
    {
        var data = interaction["data"] as JsonObject;
        var name = (string?)data?["name"];
        var user = interaction["member"]?["user"] ?? interaction["user"];
        var userId = (string?)user?["id"];
        var channelId = (string?)interaction["channel_id"] ?? (string?)interaction["channel"]?["id"];
        var token = (string?)interaction["token"];
        var interactionId = (string?)interaction["id"];
        var applicationId = (string?)interaction["application_id"] ?? options.Value.Discord.ApplicationId;
        if (name is null || userId is null || channelId is null || token is null || interactionId is null || applicationId is null)
        {
            return ChannelProblems.Malformed("An application command needs id, application_id, token, channel_id, data.name and the user.");
        }

        var text = DiscordCommandCatalog.ToText(name, data?["options"] as JsonArray);
        if (text is null)
        {
            return TypedResults.Json(new JsonObject
            {
                ["type"] = 4,
                ["data"] = new JsonObject { ["content"] = $"I do not know /{name}.", ["flags"] = Ephemeral },
            });
        }

        var message = new ChannelMessage(Interface, userId, (string?)user!["global_name"] ?? (string?)user["username"], channelId, interactionId, text)
        {
            Metadata = new JsonObject
            {
                ["discord"] = new JsonObject
                {
                    ["interactionId"] = interactionId,
                    ["channelId"] = channelId,
                    ["guildId"] = (string?)interaction["guild_id"],
                    ["command"] = name,
                },
            },
        };
        var isPrivate = DiscordCommandCatalog.IsPrivate(name);
        var output = new DiscordInteractionOutput(api, applicationId, token, isPrivate);
        // Editing the deferred response works only once Discord has it: start after the acknowledgement is sent.
        http.Response.OnCompleted(() =>
        {
            work.Enqueue(message.ChatKey, cancellationToken => AnswerAsync(message, output, cancellationToken));
            return Task.CompletedTask;
        });
        return TypedResults.Json(new JsonObject
        {
            ["type"] = 5,
            ["data"] = new JsonObject { ["flags"] = isPrivate ? Ephemeral : 0 },
        });
    }

    private async Task AnswerAsync(ChannelMessage message, DiscordInteractionOutput output, CancellationToken cancellationToken)
    {
        try
        {
            await conversation.HandleAsync(message, output, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, ex, (string?)message.Metadata["discord"]?["command"] ?? "");
            await output.SendAsync(ChannelConversation.Apology, cancellationToken).ConfigureAwait(false);
        }
    }

    // The timestamp is Unix seconds; the signature covers it, so only a request signed long ago (a replay) fails here.
    private bool IsFresh(string timestamp)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        return age.Duration() <= options.Value.Discord.SignatureMaxAge;
    }

    private static int? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue(out int number) ? number : null;

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord: the /{Command} interaction could not be handled; the user got an apology")]
    private static partial void LogFailed(ILogger logger, Exception exception, string command);
}
