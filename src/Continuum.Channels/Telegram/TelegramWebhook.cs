using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace Continuum.Channels.Telegram;

/// <summary>
/// <c>POST /channels/telegram/webhook</c>: the Bot API posts one update. The secret-token header must match
/// <c>Continuum:Channels:Telegram:WebhookSecret</c> (401 and nothing read or written otherwise); the update is
/// handled before the 200, so the Bot API redelivers one whose handling failed (its idempotency key records it once).
/// </summary>
internal static class TelegramWebhook
{
    /// <summary>The route.</summary>
    public const string Path = "/channels/telegram/webhook";

    /// <summary>The header the Bot API sends the webhook's secret in.</summary>
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    public static async Task<IResult> HandleAsync(HttpContext http, TelegramBot bot, IOptions<ChannelsOptions> options, CancellationToken cancellationToken)
    {
        if (!SecretMatches(options.Value.Telegram.WebhookSecret, http.Request.Headers[SecretHeader].ToString()))
        {
            return ChannelProblems.Unauthorized($"The {SecretHeader} header does not carry the webhook's secret.");
        }

        Update? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync<Update>(http.Request.Body, JsonBotAPI.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return ChannelProblems.Malformed("The body is not a Telegram update (JSON).");
        }

        if (update is null)
        {
            return ChannelProblems.Malformed("The body is not a Telegram update (JSON).");
        }

        await bot.HandleAsync(update, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok();
    }

    private static bool SecretMatches(string? expected, string given) =>
        !string.IsNullOrEmpty(expected)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));
}
