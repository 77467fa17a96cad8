using System.Text.Json.Nodes;
using Continuum.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Continuum.Channels.Tests.Fakes;

/// <summary>
/// A stand-in for Discord's HTTP API (v10) on loopback, speaking its wire format for the routes the bot uses:
/// the interaction webhook (edit the original response, follow-ups), channel messages (read, create), typing, the
/// bot's user and the bulk overwrite of commands. It refuses what Discord refuses: a bot route without the bot's
/// token (401) and content over 2,000 characters (400, code 50035).
/// </summary>
public sealed class FakeDiscordApi : IAsyncDisposable
{
    public const string BotToken = "TEST.bot-token.discord";
    public const string BotUserId = "900000000000000001";

    private readonly WebApplication _app;
    private readonly Dictionary<string, List<JsonObject>> _channelMessages = [];
    private long _snowflake = 1_200_000_000_000_000_000;

    private FakeDiscordApi(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public CallLog<DiscordCall> Calls { get; } = new();

    public static async Task<FakeDiscordApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var api = new FakeDiscordApi(app);
        var v10 = app.MapGroup("/api/v10");
        v10.MapMethods("/webhooks/{app}/{token}/messages/@original", ["PATCH"], (HttpContext h, string app, string token) => api.WriteAsync(h, "edit", token, bot: false));
        v10.MapPost("/webhooks/{app}/{token}", (HttpContext h, string app, string token) => api.WriteAsync(h, "followup", token, bot: false));
        v10.MapPost("/channels/{channel}/messages", (HttpContext h, string channel) => api.WriteAsync(h, "create", channel, bot: true));
        v10.MapPost("/channels/{channel}/typing", (HttpContext h, string channel) => api.TypingAsync(h, channel));
        v10.MapGet("/channels/{channel}/messages", (HttpContext h, string channel) => api.ReadMessages(h, channel));
        v10.MapGet("/users/@me", (HttpContext h) => Authorized(h) ? Results.Json(new JsonObject { ["id"] = BotUserId, ["username"] = "continuum", ["bot"] = true }) : Unauthorized());
        v10.MapPut("/applications/{app}/commands", (HttpContext h, string app) => api.WriteAsync(h, "commands", app, bot: true));
        await app.StartAsync();
        api.BaseUrl = app.Urls.First() + "/api/v10";
        return api;
    }

    /// <summary>Someone posts <paramref name="content"/> in a channel; returns the message's id.</summary>
    public string Post(string channel, string authorId, string content, bool mentionsBot)
    {
        var id = Interlocked.Increment(ref _snowflake).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var message = new JsonObject
        {
            ["id"] = id,
            ["channel_id"] = channel,
            ["content"] = content,
            ["author"] = new JsonObject { ["id"] = authorId, ["username"] = "ann", ["global_name"] = "Ann" },
            ["mentions"] = mentionsBot ? new JsonArray(new JsonObject { ["id"] = BotUserId, ["username"] = "continuum", ["bot"] = true }) : new JsonArray(),
        };
        lock (_channelMessages)
        {
            (_channelMessages.TryGetValue(channel, out var list) ? list : _channelMessages[channel] = []).Add(message);
        }

        return id;
    }

    private static bool Authorized(HttpContext http) => http.Request.Headers.Authorization.ToString() == "Bot " + BotToken;

    private static IResult Unauthorized() => Results.Json(new JsonObject { ["message"] = "401: Unauthorized", ["code"] = 0 }, statusCode: 401);

    private async Task<IResult> WriteAsync(HttpContext http, string kind, string target, bool bot)
    {
        if (bot && !Authorized(http))
        {
            return Unauthorized();
        }

        var body = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync());
        if (body is JsonObject message && ((string?)message["content"])?.Length > 2000)
        {
            return Results.Json(new JsonObject
            {
                ["code"] = 50035,
                ["message"] = "Invalid Form Body",
                ["errors"] = new JsonObject { ["content"] = new JsonObject { ["_errors"] = new JsonArray(new JsonObject { ["code"] = "BASE_TYPE_MAX_LENGTH", ["message"] = "Must be 2000 or fewer in length." }) } },
            }, statusCode: 400);
        }

        Calls.Add(new DiscordCall(kind, target, body!));
        if (kind == "commands")
        {
            var stored = new JsonArray();
            foreach (var command in body!.AsArray())
            {
                var copy = command!.DeepClone().AsObject();
                copy["id"] = Interlocked.Increment(ref _snowflake).ToString(System.Globalization.CultureInfo.InvariantCulture);
                stored.Add(copy);
            }

            return Results.Json(stored);
        }

        var answer = body!.DeepClone().AsObject();
        answer["id"] = Interlocked.Increment(ref _snowflake).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(answer);
    }

    private Task<IResult> TypingAsync(HttpContext http, string channel)
    {
        if (!Authorized(http))
        {
            return Task.FromResult(Unauthorized());
        }

        Calls.Add(new DiscordCall("typing", channel, new JsonObject()));
        return Task.FromResult(Results.NoContent());
    }

    private IResult ReadMessages(HttpContext http, string channel)
    {
        if (!Authorized(http))
        {
            return Unauthorized();
        }

        Calls.Add(new DiscordCall("read", channel, new JsonObject()));
        var after = ulong.TryParse(http.Request.Query["after"], out var a) ? a : (ulong?)null;
        var limit = int.TryParse(http.Request.Query["limit"], out var l) ? l : 50;
        lock (_channelMessages)
        {
            var all = _channelMessages.TryGetValue(channel, out var list) ? list : [];
            var newestFirst = all.Where(m => after is null || ulong.Parse((string)m["id"]!, System.Globalization.CultureInfo.InvariantCulture) > after)
                .Reverse().Take(limit).Select(m => m.DeepClone());
            return Results.Json(new JsonArray([.. newestFirst]));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One call the bot made: <c>edit</c>, <c>followup</c>, <c>create</c>, <c>typing</c>, <c>read</c> or <c>commands</c>, its target (interaction token, channel or application) and body.</summary>
public sealed record DiscordCall(string Kind, string Target, JsonNode Body)
{
    public string? Content => (string?)Body["content"];
}
