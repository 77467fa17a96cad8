using System.Net;
using System.Text.RegularExpressions;
using Continuum.Channels.Tests.Fakes;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Handoffs;
using Continuum.Testing;
using Continuum.Web.Tests.Browser;
using Microsoft.Playwright;

namespace Continuum.Web.Tests;

/// <summary>
/// The seed's scenario end to end, every part real but the remote services: Ann talks to the Telegram bot at 9:00
/// (a fake Bot API on loopback speaking Telegram's wire format, the server long-polling it), carries a <c>/link</c>
/// code into the web chat at 9:30 (real Chromium driving <c>/chat</c>), and at 10:00 asks <c>continuum chat</c> (the
/// real CLI process, through the server's gateway) "what did we find?". The server's clock is moved, not waited for.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed partial class SeedScenarioTests(BrowserFixture browser)
{
    private const long Ann = 4242;
    private const string Finding = "The GPU on node gpu-3 reads 82C under load.";
    private const string Diagnosis = "82C is thermal throttling territory; check the fan on gpu-3.";

    [Fact]
    public async Task What_was_said_on_telegram_at_nine_reaches_the_model_when_the_cli_asks_what_did_we_find_at_ten()
    {
        var clock = new ShiftedClock();
        await using var bot = await FakeBotApi.StartAsync();
        await using var model = await FakeChatModelServer.StartAsync();
        model.Answer = r => FakeChatModelServer.LastUserText(r) == Finding ? Diagnosis : "Fake answer to: " + FakeChatModelServer.LastUserText(r);
        await using var server = await ApiServer.StartWithClockAsync(clock,
            "--Continuum:Models:Chat:Endpoint", model.Endpoint,
            "--Continuum:Models:Chat:Model", "fake-model",
            "--Continuum:Channels:Telegram:Token", FakeBotApi.Token,
            "--Continuum:Channels:Telegram:BaseUrl", bot.BaseUrl,
            "--Continuum:Channels:Telegram:PollTimeoutSeconds", "5");

        // 9:00, Telegram: the bot takes Ann's message from getUpdates and answers through the model.
        bot.Enqueue(bot.MessageUpdate(Ann, Finding, "Ann"));
        (await bot.WaitForMessagesAsync(Ann, 1)).Single().Text.ShouldBe(Diagnosis);
        var telegram = (await server.GetOkAsync("api/sessions?interface=telegram"))["sessions"]!.AsArray().ShouldHaveSingleItem()!;
        var annId = (string)telegram["userId"]!;

        // 9:30, the web chat: Ann asks the bot for a link code and enters it on /chat in her browser.
        clock.Advance(TimeSpan.FromMinutes(30));
        var webCode = await LinkCodeFromTelegramAsync(bot, 2);
        await using var page = await browser.OpenAsync(server.Http.BaseAddress!);
        var chat = page.Page;
        await page.GotoAsync("chat");
        await chat.FillAsync("input[name=link-code]", webCode);
        await chat.ClickAsync("button[name=link]");
        await Assertions.Expect(chat.Locator(".cc-status")).ToHaveTextAsync("Linked: continuing your telegram conversation.");
        await Assertions.Expect(chat.Locator(".cc-carried").First).ToContainTextAsync("82C");
        await chat.FillAsync("textarea[name=message]", "I cleaned the fan filter on gpu-3.");
        await chat.PressAsync("textarea[name=message]", "Enter");
        await Assertions.Expect(chat.Locator(".cc-assistant:not([data-streaming])").Last).ToHaveTextAsync("Fake answer to: I cleaned the fan filter on gpu-3.");
        page.ShouldHaveNoErrors();

        // 10:00, the terminal: a new link code from the bot, then `continuum chat` through the gateway.
        clock.Advance(TimeSpan.FromMinutes(30));
        var cliCode = await LinkCodeFromTelegramAsync(bot, 3);
        var run = await CliRun.RunWithInputAsync($"/link {cliCode}\nwhat did we find?\n/quit\n",
            "--server", server.Http.BaseAddress!.ToString(), "chat", "--user", "ann-laptop");

        run.ExitCode.ShouldBe(0, run.Err);
        run.Out.ShouldContain($"Linked to user {annId}");
        run.Out.ShouldContain("Fake answer to: what did we find?");
        var asked = model.RequestsMentioning("what did we find?").ShouldHaveSingleItem();
        var sent = FakeChatModelServer.TextOf(asked);
        sent.ShouldContain(Finding, Case.Sensitive, "the model is given what Ann said on Telegram at 9:00");
        sent.ShouldContain(Diagnosis, Case.Sensitive, "and what the bot answered her there");
        FakeChatModelServer.LastUserText(asked).ShouldBe("what did we find?");
        var terminal = await server.PostOkAsync("api/users/resolve", new { @interface = "cli", externalUserId = "ann-laptop" }, HttpStatusCode.OK);
        ((string?)terminal["id"]).ShouldBe(annId, "the terminal's identity is Ann's");
    }

    private static async Task<string> LinkCodeFromTelegramAsync(FakeBotApi bot, int messages)
    {
        bot.Enqueue(bot.MessageUpdate(Ann, "/link", "Ann"));
        var answer = (await bot.WaitForMessagesAsync(Ann, messages))[^1].Text;
        var code = LinkCode().Match(answer).Groups[1].Value;
        code.ShouldNotBeEmpty(answer);
        return code;
    }

    [GeneratedRegex(@"link code: (\S+)")]
    private static partial Regex LinkCode();
}
