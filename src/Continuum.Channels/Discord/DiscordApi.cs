using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Continuum.Channels.Discord;

/// <summary>
/// A thin client of the few Discord HTTP API routes the bot uses (there is no Discord library on the package feed):
/// editing an interaction's deferred answer and following it up, posting to a channel, the typing indicator,
/// reading a channel's messages, the bot's own user, and overwriting the application's commands. A 429 is waited
/// out (as long as Discord says, at most 10 seconds) and retried; every other failure throws
/// <see cref="HttpRequestException"/> with Discord's status and error code, never the URL (it holds tokens).
/// Mentions are never parsed from what the bot posts, so an answer cannot ping <c>@everyone</c>.
/// </summary>
internal sealed class DiscordApi(HttpClient http, DiscordOptions options, TimeProvider clock)
{
    private static readonly JsonObject NoMentions = new() { ["parse"] = new JsonArray() };

    private string Base => options.BaseUrl.TrimEnd('/');

    public Task EditOriginalAsync(string applicationId, string interactionToken, string content, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, $"{Base}/webhooks/{applicationId}/{interactionToken}/messages/@original", Message(content), bot: false, cancellationToken);

    public Task FollowUpAsync(string applicationId, string interactionToken, string content, bool ephemeral, CancellationToken cancellationToken)
    {
        var body = Message(content);
        if (ephemeral)
        {
            body["flags"] = DiscordInteractions.Ephemeral;
        }

        return SendAsync(HttpMethod.Post, $"{Base}/webhooks/{applicationId}/{interactionToken}", body, bot: false, cancellationToken);
    }

    public Task CreateMessageAsync(string channelId, string content, string? replyTo, CancellationToken cancellationToken)
    {
        var body = Message(content);
        if (replyTo is not null)
        {
            body["message_reference"] = new JsonObject { ["message_id"] = replyTo, ["fail_if_not_exists"] = false };
        }

        return SendAsync(HttpMethod.Post, $"{Base}/channels/{channelId}/messages", body, bot: true, cancellationToken);
    }

    public Task TriggerTypingAsync(string channelId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{Base}/channels/{channelId}/typing", null, bot: true, cancellationToken);

    /// <summary>A channel's messages after <paramref name="after"/> (or its latest), newest first as Discord lists them.</summary>
    public async Task<JsonArray> GetMessagesAsync(string channelId, string? after, int limit, CancellationToken cancellationToken)
    {
        var query = after is null ? $"?limit={limit}" : $"?after={after}&limit={limit}";
        var node = await SendAsync(HttpMethod.Get, $"{Base}/channels/{channelId}/messages{query}", null, bot: true, cancellationToken).ConfigureAwait(false);
        return node as JsonArray ?? [];
    }

    public async Task<string> GetBotUserIdAsync(CancellationToken cancellationToken)
    {
        var me = await SendAsync(HttpMethod.Get, $"{Base}/users/@me", null, bot: true, cancellationToken).ConfigureAwait(false);
        return (string?)me?["id"] ?? throw new HttpRequestException("Discord's /users/@me answered no id.");
    }

    public async Task<int> OverwriteCommandsAsync(string applicationId, JsonArray commands, CancellationToken cancellationToken)
    {
        var stored = await SendAsync(HttpMethod.Put, $"{Base}/applications/{applicationId}/commands", commands, bot: true, cancellationToken).ConfigureAwait(false);
        return (stored as JsonArray)?.Count ?? 0;
    }

    private static JsonObject Message(string content) => new() { ["content"] = content, ["allowed_mentions"] = NoMentions.DeepClone() };

    private async Task<JsonNode?> SendAsync(HttpMethod method, string url, JsonNode? body, bool bot, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, url);
            request.Headers.UserAgent.ParseAdd("DiscordBot (https://continuum.dev, 1.0)");
            if (bot)
            {
                if (string.IsNullOrWhiteSpace(options.BotToken))
                {
                    throw new InvalidOperationException("This needs Continuum:Channels:Discord:BotToken.");
                }

                request.Headers.Authorization = new AuthenticationHeaderValue("Bot", options.BotToken);
            }

            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 4)
            {
                await Task.Delay(RetryAfter(response, text), clock, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"Discord answered {(int)response.StatusCode}{ErrorOf(text)}.", null, response.StatusCode);
            }

            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response, string text)
    {
        double seconds = 1;
        try
        {
            if (JsonNode.Parse(text)?["retry_after"] is JsonValue value && value.TryGetValue(out double given))
            {
                seconds = given;
            }
        }
        catch (JsonException)
        {
            if (response.Headers.RetryAfter?.Delta is { } delta)
            {
                seconds = delta.TotalSeconds;
            }
        }

        return TimeSpan.FromSeconds(Math.Clamp(seconds, 0.05, 10));
    }

    private static string ErrorOf(string text)
    {
        try
        {
            var error = JsonNode.Parse(text);
            return error?["code"] is { } code ? string.Create(CultureInfo.InvariantCulture, $" (code {code}: {(string?)error["message"]})") : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
