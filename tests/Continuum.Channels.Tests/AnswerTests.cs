using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Continuum.Channels.Tests.Fakes;
using Continuum.Chat;
using Continuum.Server.Tests.Api;
using Continuum.Testing;

namespace Continuum.Channels.Tests;

/// <summary>Both bots answering through the shared pipeline with a fake model on loopback.</summary>
public sealed class AnswerTests : IAsyncLifetime
{
    private const string Secret = "answer-secret";
    private const string ApplicationId = "810000000000000001";
    private readonly DiscordKeys _keys = new();
    private FakeBotApi _bot = null!;
    private FakeDiscordApi _discord = null!;
    private FakeChatModelServer _model = null!;
    private ApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _bot = await FakeBotApi.StartAsync();
        _discord = await FakeDiscordApi.StartAsync();
        _model = await FakeChatModelServer.StartAsync();
        _server = await ApiServer.StartAsync(
            "--Continuum:Models:Chat:Endpoint", _model.Endpoint,
            "--Continuum:Models:Chat:Model", "fake-model",
            "--Continuum:Channels:Telegram:Token", FakeBotApi.Token,
            "--Continuum:Channels:Telegram:BaseUrl", _bot.BaseUrl,
            "--Continuum:Channels:Telegram:Mode", "webhook",
            "--Continuum:Channels:Telegram:WebhookSecret", Secret,
            "--Continuum:Channels:Discord:ApplicationId", ApplicationId,
            "--Continuum:Channels:Discord:PublicKey", _keys.PublicKeyHex,
            "--Continuum:Channels:Discord:BaseUrl", _discord.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _model.DisposeAsync();
        await _discord.DisposeAsync();
        await _bot.DisposeAsync();
    }

    [Fact]
    public async Task A_telegram_message_is_answered_by_the_model_with_the_typing_indicator_while_it_works()
    {
        const string answer = "82C is *thermal throttling* territory (gpu-3). Check the fan!";
        _model.Answer = _ => answer;
        _model.Hold = true;

        var delivery = DeliverAsync(_bot.MessageUpdate(4242, "The GPU on node gpu-3 reads 82C under load."));
        await _bot.Calls.WaitForAsync(c => c.Method == "sendChatAction" && (string?)c.Body["action"] == "typing" && (long?)c.Body["chat_id"] == 4242);
        await _model.WaitForRequestsAsync();
        _bot.TextsTo(4242).ShouldBeEmpty("the model has not answered yet");
        _model.Release();
        await delivery;

        _bot.TextsTo(4242).ShouldBe(["82C is *thermal throttling* territory (gpu-3). Check the fan!"]);
        var request = (await _model.WaitForRequestsAsync()).Single()["messages"]!.AsArray();
        request.ShouldContain(m => (string?)m!["role"] == "user" && ((string?)m["content"] ?? "").Contains("reads 82C under load", StringComparison.Ordinal));
        var session = (string)(await _server.SessionsOnAsync("telegram")).Single()["id"]!;
        var events = (await _server.AllEventsAsync(session)).Where(e => (string?)e["type"] == "message").ToList();
        events.Select(e => (string?)e["role"]).ShouldBe(["user", "assistant"]);
        ((long?)events[0]["metadata"]!["telegram"]!["chatId"]).ShouldBe(4242);
        ((string?)events[1]["content"]).ShouldBe(answer);
    }

    [Fact]
    public async Task A_redelivered_telegram_update_is_recorded_and_sent_to_the_model_once()
    {
        var update = _bot.MessageUpdate(4343, "Is gpu-3 throttling?");

        await DeliverAsync(update);
        var session = (string)(await _server.SessionsOnAsync("telegram")).Single()["id"]!;
        var first = await _server.AllEventsAsync(session);
        await DeliverAsync(update);

        (await _server.AllEventsAsync(session)).Count.ShouldBe(first.Count);
        first.Count(e => (string?)e["type"] == "message").ShouldBe(2);
        _bot.TextsTo(4343).Distinct().Count().ShouldBe(1, "the redelivery gets the recorded answer");
        _model.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_telegram_answer_over_4096_characters_is_split_at_paragraph_boundaries()
    {
        var paragraphs = Enumerable.Range(1, 3).Select(i => $"Part {i}. " + string.Concat(Enumerable.Repeat("The fan on gpu-3 spins at 4000 rpm; ", 80)).Trim()).ToList();
        var answer = string.Join("\n\n", paragraphs);
        _model.Answer = _ => answer;

        await DeliverAsync(_bot.MessageUpdate(4444, "Tell me everything about the fans."));

        var texts = _bot.TextsTo(4444);
        answer.Length.ShouldBeGreaterThan(4096 * 2);
        texts.Count.ShouldBe(3);
        texts.ShouldBe(paragraphs);
    }

    [Fact]
    public async Task A_failing_model_gives_the_telegram_user_a_short_apology_and_the_error_is_recorded()
    {
        _model.FailWith = 500;

        await DeliverAsync(_bot.MessageUpdate(4545, "What did we find?"));

        _bot.TextsTo(4545).ShouldBe([ChatTurns.Apology]);
        var session = (string)(await _server.SessionsOnAsync("telegram")).Single()["id"]!;
        var events = await _server.AllEventsAsync(session);
        events.ShouldContain(e => (string?)e["type"] == "error");
        events.ShouldContain(e => (string?)e["role"] == "user" && (string?)e["content"] == "What did we find?");
    }

    [Fact]
    public async Task A_discord_ask_is_deferred_while_the_model_works_then_edits_the_original_and_follows_up_past_2000_characters()
    {
        var paragraphs = Enumerable.Range(1, 2).Select(i => $"Part {i}. " + string.Concat(Enumerable.Repeat("gpu-3 reads 82C under load. ", 50)).Trim()).ToList();
        var answer = string.Join("\n\n", paragraphs);
        _model.Answer = _ => answer;
        _model.Hold = true;
        var interaction = new JsonObject
        {
            ["id"] = "410000000000000001",
            ["application_id"] = ApplicationId,
            ["type"] = 2,
            ["token"] = "ask-token-" + Guid.NewGuid().ToString("N"),
            ["channel_id"] = "710000000000000001",
            ["user"] = new JsonObject { ["id"] = "510000000000000001", ["username"] = "ann" },
            ["data"] = new JsonObject
            {
                ["name"] = "ask",
                ["type"] = 1,
                ["options"] = new JsonArray(new JsonObject { ["name"] = "message", ["type"] = 3, ["value"] = "What did we find about gpu-3?" }),
            },
        };
        var body = interaction.ToJsonString();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, "channels/discord/interactions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Signature-Ed25519", _keys.Sign(timestamp, body));
        request.Headers.Add("X-Signature-Timestamp", timestamp);

        using var response = await _server.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        ((int?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["type"]).ShouldBe(5);
        await _model.WaitForRequestsAsync();
        _model.Release();
        var token = (string?)interaction["token"];
        var edit = (await _discord.Calls.WaitForAsync(c => c.Kind == "edit" && c.Target == token)).Single();
        var followUp = (await _discord.Calls.WaitForAsync(c => c.Kind == "followup" && c.Target == token)).Single();
        answer.Length.ShouldBeGreaterThan(2000);
        edit.Content.ShouldBe(paragraphs[0]);
        followUp.Content.ShouldBe(paragraphs[1]);
    }

    private async Task DeliverAsync(JsonObject update)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "channels/telegram/webhook") { Content = new StringContent(update.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", Secret);
        using var response = await _server.Http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }
}
