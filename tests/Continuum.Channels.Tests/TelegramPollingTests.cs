using Continuum.Channels.Tests.Fakes;
using Continuum.Server.Tests.Api;

namespace Continuum.Channels.Tests;

/// <summary>The Telegram bot inside a real server in long-polling mode, taking its updates from a fake Bot API.</summary>
public sealed class TelegramPollingTests
{
    [Fact]
    public async Task Long_polling_takes_each_update_once_in_order_and_answers_it()
    {
        await using var bot = await FakeBotApi.StartAsync();
        await using var server = await ApiServer.StartAsync(
            "--Continuum:Channels:Telegram:Token", FakeBotApi.Token,
            "--Continuum:Channels:Telegram:BaseUrl", bot.BaseUrl,
            "--Continuum:Channels:Telegram:PollTimeoutSeconds", "20");

        bot.Enqueue(bot.MessageUpdate(3101, "/start", "Ann"));
        (await bot.WaitForMessagesAsync(3101, 1)).Single().Text.ShouldStartWith("Hi Ann.");
        bot.Enqueue(bot.MessageUpdate(3101, "/memories"));
        bot.Enqueue(bot.MessageUpdate(3202, "/start", "Bob"));

        var ann = await bot.WaitForMessagesAsync(3101, 2);
        ann.Select(m => m.Text[..10]).ShouldBe(["Hi Ann. I ", "I hold no "], "the first update was confirmed, not taken again");
        (await bot.WaitForMessagesAsync(3202, 1)).Single().Text.ShouldStartWith("Hi Bob.");
        var sessions = await server.SessionsOnAsync("telegram");
        sessions.Select(s => (string?)s["interfaceId"]).Order().ShouldBe(["3101", "3202"]);
    }

    [Fact]
    public async Task A_server_with_a_wrong_token_keeps_running_and_serves_the_api()
    {
        await using var bot = await FakeBotApi.StartAsync();
        await using var server = await ApiServer.StartAsync(
            "--Continuum:Channels:Telegram:Token", "999:wrong-token",
            "--Continuum:Channels:Telegram:BaseUrl", bot.BaseUrl);

        bot.Enqueue(bot.MessageUpdate(3301, "/start"));

        await bot.Calls.WaitForAsync(c => c.Method == "refused:getUpdates");
        (await server.GetOkAsync("api/stats")).ShouldNotBeNull();
        bot.TextsTo(3301).ShouldBeEmpty();
    }
}
