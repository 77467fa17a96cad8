using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Continuum.Channels.Tests.Fakes;
using Continuum.Server.Tests.Api;

namespace Continuum.Channels.Tests;

/// <summary>The Telegram bot inside a real server, fed through its webhook, answering to a fake Bot API on loopback.</summary>
public sealed partial class TelegramTests : IAsyncLifetime
{
    private const string Secret = "hook-secret_42";
    private FakeBotApi _bot = null!;
    private ApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _bot = await FakeBotApi.StartAsync();
        _server = await ApiServer.StartAsync(
            "--Continuum:Channels:Telegram:Token", FakeBotApi.Token,
            "--Continuum:Channels:Telegram:BaseUrl", _bot.BaseUrl,
            "--Continuum:Channels:Telegram:Mode", "webhook",
            "--Continuum:Channels:Telegram:WebhookSecret", Secret,
            "--Continuum:Channels:RateLimit:Messages", "5",
            "--Continuum:Channels:RateLimit:Window", "01:00:00");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bot.DisposeAsync();
    }

    [Fact]
    public async Task Start_opens_a_session_of_the_senders_telegram_identity_with_the_chat_as_its_interface_id()
    {
        await DeliverAsync(_bot.MessageUpdate(4242, "/start", "Ann"));

        var reply = (await _bot.WaitForMessagesAsync(4242, 1)).Single();
        reply.Text.ShouldStartWith("Hi Ann.");
        reply.Text.ShouldContain("/link");
        ((string?)reply.Body["parse_mode"]).ShouldBe("MarkdownV2");
        var session = (await _server.SessionsOnAsync("telegram")).Single();
        ((string?)session["interfaceId"]).ShouldBe("4242");
        var user = await _server.GetOkAsync($"api/users/{session["userId"]}");
        user["identities"]!.AsArray().ShouldContain(i => (string?)i!["interface"] == "telegram" && (string?)i["externalUserId"] == "4242");
        ((string?)user["displayName"]).ShouldBe("Ann");
    }

    [Fact]
    public async Task A_forged_webhook_is_401_and_writes_nothing()
    {
        var before = await _server.CountsAsync();
        var update = _bot.MessageUpdate(5151, "/start").ToJsonString();

        foreach (var secret in new[] { null, "", "hook-secret_43", Secret + "x" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "channels/telegram/webhook") { Content = new StringContent(update, System.Text.Encoding.UTF8, "application/json") };
            if (secret is not null)
            {
                request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
            }

            using var response = await _server.Http.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            ((string?)problem["type"]).ShouldBe("https://continuum.dev/problems/unauthorized");
        }

        (await _server.CountsAsync()).ShouldBe(before);
        _bot.Calls.Snapshot().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_webhook_body_that_is_not_an_update_is_400_and_writes_nothing()
    {
        var before = await _server.CountsAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "channels/telegram/webhook") { Content = new StringContent("{\"update_id\": \"not a number\"", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", Secret);

        using var response = await _server.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await _server.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Link_shows_a_one_time_code_that_joins_a_web_identity_to_the_telegram_user()
    {
        await DeliverAsync(_bot.MessageUpdate(6001, "/link"));
        var reply = (await _bot.WaitForMessagesAsync(6001, 1)).Single().Text;
        var code = LinkCode().Match(reply).Groups[1].Value;
        code.ShouldNotBeEmpty(reply);

        var linked = await _server.PostOkAsync("api/users/link", new { code, identity = new { @interface = "web", externalUserId = "cookie-6001" } }, HttpStatusCode.OK);
        var telegramUser = (string?)(await _server.SessionsOnAsync("telegram")).Single()["userId"];

        ((string?)linked["id"]).ShouldBe(telegramUser);
        var again = await _server.Http.PostAsJsonAsync("api/users/link", new { code, identity = new { @interface = "web", externalUserId = "cookie-other" } });
        again.IsSuccessStatusCode.ShouldBeFalse("a link code works once");
    }

    [Fact]
    public async Task Link_with_a_code_from_another_interface_joins_this_telegram_identity_to_its_user()
    {
        var web = await _server.PostOkAsync("api/users/resolve", new { @interface = "web", externalUserId = "cookie-7001" }, HttpStatusCode.Created);
        var code = (string?)(await _server.PostOkAsync($"api/users/{web["id"]}/link-codes", new { }, HttpStatusCode.Created))["code"];

        await DeliverAsync(_bot.MessageUpdate(7001, "/link NOT-A-CODE"));
        await DeliverAsync(_bot.MessageUpdate(7001, $"/link {code}"));

        var replies = await _bot.WaitForMessagesAsync(7001, 2);
        replies[0].Text.ShouldContain("not valid");
        replies[1].Text.ShouldStartWith("Linked");
        var telegram = await _server.PostOkAsync("api/users/resolve", new { @interface = "telegram", externalUserId = "7001" }, HttpStatusCode.OK);
        ((string?)telegram["id"]).ShouldBe((string?)web["id"]);
    }

    [Fact]
    public async Task Reset_takes_the_messages_out_of_the_context_and_keeps_the_summary()
    {
        await DeliverAsync(_bot.MessageUpdate(8001, "/start"));
        var session = (string)(await _server.SessionsOnAsync("telegram")).Single()["id"]!;
        for (var i = 0; i < 16; i++)
        {
            await _server.PostOkAsync($"api/sessions/{session}/events", new { role = i % 2 == 0 ? "user" : "assistant", content = $"Node gpu-{i} reads {60 + i}C under load." }, HttpStatusCode.Created);
        }

        (await _server.PostOkAsync($"api/sessions/{session}/summarize", new { }, HttpStatusCode.OK)).ShouldNotBeNull();
        var before = await _server.GetOkAsync($"api/sessions/{session}/context");
        before["summaries"]!.AsArray().Count.ShouldBeGreaterThan(0);
        before["recent"]!.AsArray().Count.ShouldBeGreaterThan(0);

        await DeliverAsync(_bot.MessageUpdate(8001, "/reset"));

        (await _bot.WaitForMessagesAsync(8001, 2))[1].Text.ShouldContain("keep the summary");
        var after = await _server.GetOkAsync($"api/sessions/{session}/context");
        after["recent"]!.AsArray().ShouldBeEmpty();
        after["summaries"]!.AsArray().Count.ShouldBe(before["summaries"]!.AsArray().Count);
        (await _server.AllEventsAsync(session)).Count(e => (string?)e["type"] == "message").ShouldBe(16, "clearing hides the messages from the context; the log keeps them");
    }

    [Fact]
    public async Task Memories_lists_what_is_remembered_and_forget_erases_the_user_only_after_confirmation()
    {
        await DeliverAsync(_bot.MessageUpdate(9001, "/forget yes"));
        var userId = (string)(await _server.SessionsOnAsync("telegram")).Single()["userId"]!;
        await _server.PostOkAsync("api/memories", new { userId, kind = "fact", content = "The GPU on gpu-3 reads 82C under load" }, HttpStatusCode.Created);

        await DeliverAsync(_bot.MessageUpdate(9001, "/memories"));
        var early = await _bot.WaitForMessagesAsync(9001, 2);
        early[0].Text.ShouldContain("Nothing to confirm");
        early[1].Text.ShouldContain("gpu-3 reads 82C");
        (await _server.GetOkAsync($"api/memories?userId={userId}"))["memories"]!.AsArray().Count.ShouldBe(1);

        await DeliverAsync(_bot.MessageUpdate(9001, "/forget"));
        await DeliverAsync(_bot.MessageUpdate(9001, "/forget yes"));

        var replies = await _bot.WaitForMessagesAsync(9001, 4);
        replies[2].Text.ShouldContain("/forget yes");
        replies[3].Text.ShouldStartWith("Forgotten: I erased everything I kept about you (1 session, ");
        replies[3].Text.ShouldContain("1 memory, 1 linked identity");
        (await _server.Http.GetAsync($"api/users/{userId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _server.SessionsOnAsync("telegram")).ShouldBeEmpty();

        await DeliverAsync(_bot.MessageUpdate(9001, "/memories"));

        (await _bot.WaitForMessagesAsync(9001, 5))[4].Text.ShouldBe("I hold no memories about you yet.");
        ((string?)(await _server.SessionsOnAsync("telegram")).Single()["userId"]).ShouldNotBe(userId, "the chat starts afresh as a new user");
    }

    [Fact]
    public async Task A_photo_without_caption_is_recorded_with_its_attachment_and_not_answered()
    {
        await DeliverAsync(_bot.MessageUpdate(9101, null, shape: m => m["photo"] = new JsonArray(
            new JsonObject { ["file_id"] = "small-id", ["file_unique_id"] = "u-small", ["width"] = 90, ["height"] = 60, ["file_size"] = 1200 },
            new JsonObject { ["file_id"] = "large-id", ["file_unique_id"] = "u-large", ["width"] = 1280, ["height"] = 853, ["file_size"] = 98000 })));
        await DeliverAsync(_bot.MessageUpdate(9101, null, shape: m => m["document"] = new JsonObject
        {
            ["file_id"] = "doc-id", ["file_unique_id"] = "u-doc", ["file_name"] = "nvidia-smi.log", ["mime_type"] = "text/plain", ["file_size"] = 4096,
        }));

        var session = (string)(await _server.SessionsOnAsync("telegram")).Single()["id"]!;
        var events = await _server.AllEventsAsync(session);
        events.Select(e => (string?)e["content"]).ShouldBe(["[photo]", "[document: nvidia-smi.log]"]);
        var photo = events[0]["metadata"]!["attachments"]!.AsArray().Single()!;
        ((string?)photo["kind"]).ShouldBe("photo");
        ((string?)photo["fileId"]).ShouldBe("large-id");
        ((int?)photo["width"]).ShouldBe(1280);
        var document = events[1]["metadata"]!["attachments"]!.AsArray().Single()!;
        ((string?)document["fileName"]).ShouldBe("nvidia-smi.log");
        ((string?)document["mimeType"]).ShouldBe("text/plain");
        ((long?)events[0]["metadata"]!["telegram"]!["chatId"]).ShouldBe(9101);
        _bot.TextsTo(9101).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_edited_message_is_recorded_as_an_edit_pointing_at_the_original()
    {
        var original = _bot.MessageUpdate(9201, null, messageId: 555, shape: m => m["photo"] = new JsonArray(
            new JsonObject { ["file_id"] = "p", ["file_unique_id"] = "u-p", ["width"] = 10, ["height"] = 10 }));
        await DeliverAsync(original);
        var edited = _bot.MessageUpdate(9201, null, messageId: 555, shape: m =>
        {
            m["photo"] = new JsonArray(new JsonObject { ["file_id"] = "p", ["file_unique_id"] = "u-p", ["width"] = 10, ["height"] = 10 });
            m["caption"] = "the fan of gpu-3, after the fix";
            m["edit_date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5;
        });
        var edit = new JsonObject { ["update_id"] = (long)edited["update_id"]!, ["edited_message"] = edited["message"]!.DeepClone() };

        await DeliverAsync(edit);
        await DeliverAsync(edit); // redelivered: recorded once

        var session = (string)(await _server.SessionsOnAsync("telegram")).Single()["id"]!;
        var events = await _server.AllEventsAsync(session);
        events.Count.ShouldBe(2);
        ((string?)events[1]["content"]).ShouldBe("the fan of gpu-3, after the fix");
        ((string?)events[1]["metadata"]!["edit"]!["eventId"]).ShouldBe((string?)events[0]["id"]);
        ((long?)events[1]["metadata"]!["edit"]!["seq"]).ShouldBe((long?)events[0]["seq"]);
        ((string?)events[0]["content"]).ShouldBe("[photo]", "the original stays as it was");
    }

    [Fact]
    public async Task A_flood_from_one_chat_is_rate_limited_with_one_polite_answer()
    {
        for (var i = 0; i < 9; i++)
        {
            await DeliverAsync(_bot.MessageUpdate(9301, "/start"));
        }

        await DeliverAsync(_bot.MessageUpdate(9302, "/start"));

        var texts = _bot.TextsTo(9301);
        texts.Count.ShouldBe(6, string.Join(" | ", texts));
        texts.Take(5).ShouldAllBe(t => t.StartsWith("Hi Ann.", StringComparison.Ordinal));
        texts[5].ShouldBe(ChannelConversation.RateLimited);
        _bot.TextsTo(9302).Single().ShouldStartWith("Hi Ann.", customMessage: "another chat has a limit of its own");
    }

    [Fact]
    public async Task An_unknown_command_lists_the_commands()
    {
        await DeliverAsync(_bot.MessageUpdate(9401, "/frobnicate@continuum_test_bot now"));

        (await _bot.WaitForMessagesAsync(9401, 1)).Single().Text.ShouldStartWith("I do not know /frobnicate. Commands: /reset");
    }

    private async Task DeliverAsync(JsonObject update)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "channels/telegram/webhook") { Content = new StringContent(update.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", Secret);
        using var response = await _server.Http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"link code: (\S+)")]
    private static partial Regex LinkCode();
}
