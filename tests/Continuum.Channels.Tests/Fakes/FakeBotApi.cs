using System.Text.Json.Nodes;
using Continuum.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Continuum.Channels.Tests.Fakes;

/// <summary>
/// A stand-in for Telegram's Bot API on loopback, speaking its wire format: <c>POST /bot{token}/{method}</c> with a
/// JSON body, answered <c>{"ok":true,"result":…}</c> or <c>{"ok":false,"error_code":…,"description":…}</c>. It
/// holds updates for <c>getUpdates</c> (long polling with offsets and a timeout), and refuses what Telegram refuses:
/// a wrong token, a text over 4,096 characters, MarkdownV2 with an unescaped reserved character, and a
/// <c>getUpdates</c> while another is still waiting (409 Conflict: two bot instances polling).
/// </summary>
public sealed class FakeBotApi : IAsyncDisposable
{
    public const string Token = "123456:TEST-token_abcdefghij";
    private const string Reserved = "_*[]()~`>#+-=|{}.!";

    private readonly WebApplication _app;
    private readonly List<JsonObject> _pending = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private long _updateId = 100;
    private long _messageId = 9000;
    private int _polling;

    private FakeBotApi(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public CallLog<BotCall> Calls { get; } = new();

    /// <summary>Each <c>getUpdates</c> call as it arrived (the caller's offset), including refused ones.</summary>
    public CallLog<long?> Polls { get; } = new();

    public static async Task<FakeBotApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var api = new FakeBotApi(app);
        app.MapPost("/bot{token}/{method}", api.HandleAsync);
        await app.StartAsync();
        api.BaseUrl = app.Urls.First();
        return api;
    }

    /// <summary>An update with a message from <paramref name="fromId"/> in the private chat of the same id, as Telegram sends it.</summary>
    public JsonObject MessageUpdate(long fromId, string? text, string firstName = "Ann", long? messageId = null, Action<JsonObject>? shape = null)
    {
        var message = new JsonObject
        {
            ["message_id"] = messageId ?? Interlocked.Increment(ref _messageId),
            ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["chat"] = new JsonObject { ["id"] = fromId, ["type"] = "private", ["first_name"] = firstName },
            ["from"] = new JsonObject { ["id"] = fromId, ["is_bot"] = false, ["first_name"] = firstName, ["username"] = firstName.ToLowerInvariant() },
        };
        if (text is not null)
        {
            message["text"] = text;
            if (text.StartsWith('/'))
            {
                message["entities"] = new JsonArray(new JsonObject { ["type"] = "bot_command", ["offset"] = 0, ["length"] = text.Split(' ')[0].Length });
            }
        }

        shape?.Invoke(message);
        return new JsonObject { ["update_id"] = Interlocked.Increment(ref _updateId), ["message"] = message };
    }

    /// <summary>Queues an update for the bot's next <c>getUpdates</c>.</summary>
    public void Enqueue(JsonObject update)
    {
        lock (_pending)
        {
            _pending.Add(update);
        }

        _arrived.Release();
    }

    /// <summary>The texts sent to <paramref name="chatId"/> so far, unescaped.</summary>
    public IReadOnlyList<string> TextsTo(long chatId) =>
        Calls.Snapshot().Where(c => c.Method == "sendMessage" && (long?)c.Body["chat_id"] == chatId).Select(c => c.Text).ToList();

    public async Task<IReadOnlyList<BotCall>> WaitForMessagesAsync(long chatId, int count) =>
        await Calls.WaitForAsync(c => c.Method == "sendMessage" && (long?)c.Body["chat_id"] == chatId, count);

    private async Task<IResult> HandleAsync(HttpContext http, string token, string method)
    {
        if (token != Token)
        {
            Calls.Add(new BotCall("refused:" + method, [], ""));
            return Error(401, "Unauthorized");
        }

        var body = http.Request.ContentLength is 0 ? new JsonObject() : JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync()) as JsonObject ?? [];
        switch (method)
        {
            case "getMe":
                return Ok(new JsonObject { ["id"] = 123456, ["is_bot"] = true, ["first_name"] = "Continuum", ["username"] = "continuum_test_bot" });
            case "getUpdates":
                Polls.Add((long?)body["offset"]);
                if (Interlocked.Increment(ref _polling) > 1)
                {
                    Interlocked.Decrement(ref _polling);
                    Calls.Add(new BotCall("conflict:getUpdates", body, ""));
                    return Error(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
                }

                try
                {
                    return Ok(await UpdatesAsync((long?)body["offset"], (int?)body["timeout"] ?? 0, http.RequestAborted));
                }
                finally
                {
                    Interlocked.Decrement(ref _polling);
                }
            case "sendChatAction":
                Calls.Add(new BotCall(method, body, ""));
                return Ok(true);
            case "sendMessage":
                var raw = (string?)body["text"] ?? "";
                var markdown = (string?)body["parse_mode"] == "MarkdownV2";
                if (markdown && Unescaped(raw) is { } bad)
                {
                    return Error(400, $"Bad Request: can't parse entities: Character '{bad}' is reserved and must be escaped with the preceding '\\'");
                }

                var text = markdown ? Unescape(raw) : raw;
                if (text.Length is 0 or > 4096)
                {
                    return Error(400, text.Length == 0 ? "Bad Request: message text is empty" : "Bad Request: message is too long");
                }

                Calls.Add(new BotCall(method, body, text));
                return Ok(new JsonObject
                {
                    ["message_id"] = Interlocked.Increment(ref _messageId),
                    ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                    ["chat"] = new JsonObject { ["id"] = body["chat_id"]?.DeepClone(), ["type"] = "private" },
                    ["from"] = new JsonObject { ["id"] = 123456, ["is_bot"] = true, ["first_name"] = "Continuum" },
                    ["text"] = text,
                });
            default:
                return Error(404, "Not Found: method not found");
        }
    }

    private async Task<JsonArray> UpdatesAsync(long? offset, int timeout, CancellationToken aborted)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(timeout);
        while (true)
        {
            lock (_pending)
            {
                // Telegram confirms every update below the offset and forgets it.
                _pending.RemoveAll(u => offset is not null && (long)u["update_id"]! < offset);
                if (_pending.Count > 0)
                {
                    return [.. _pending.Select(u => u.DeepClone())];
                }
            }

            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return [];
            }

            try
            {
                await _arrived.WaitAsync(left, aborted);
            }
            catch (OperationCanceledException)
            {
                return [];
            }
        }
    }

    private static char? Unescaped(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }

            if (Reserved.Contains(text[i], StringComparison.Ordinal))
            {
                return text[i];
            }
        }

        return null;
    }

    private static string Unescape(string text)
    {
        var plain = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
            }

            plain.Append(text[i]);
        }

        return plain.ToString();
    }

    private static IResult Ok(JsonNode result) => Results.Json(new JsonObject { ["ok"] = true, ["result"] = result });

    private static IResult Error(int code, string description) =>
        Results.Json(new JsonObject { ["ok"] = false, ["error_code"] = code, ["description"] = description }, statusCode: code);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }
}

/// <summary>One call the bot made: the method, its JSON body and, for a message, its text as the user sees it.</summary>
public sealed record BotCall(string Method, JsonObject Body, string Text);
