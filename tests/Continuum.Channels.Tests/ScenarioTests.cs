using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Continuum.Channels.Tests.Fakes;
using Continuum.Testing;
using Continuum.Server.Tests.Handoffs;

namespace Continuum.Channels.Tests;

/// <summary>The walk-through end to end: Telegram at 9:00, a web identity joining at 9:30, the CLI at 10:00.</summary>
public sealed partial class ScenarioTests
{
    private const string Secret = "scenario-secret";

    [Fact]
    public async Task What_was_said_on_telegram_reaches_the_cli_context_after_a_web_identity_joins_with_the_link_code()
    {
        var clock = new ShiftedClock();
        await using var bot = await FakeBotApi.StartAsync();
        await using var model = await FakeChatModel.StartAsync();
        model.Answer = "82C is thermal throttling territory; check the fan on gpu-3.";
        await using var server = await ChannelServer.StartAsync(clock,
            "--Continuum:Models:Chat:Endpoint", model.Endpoint,
            "--Continuum:Models:Chat:Model", "fake-model",
            "--Continuum:Channels:Telegram:Token", FakeBotApi.Token,
            "--Continuum:Channels:Telegram:BaseUrl", bot.BaseUrl,
            "--Continuum:Channels:Telegram:Mode", "webhook",
            "--Continuum:Channels:Telegram:WebhookSecret", Secret);

        // 9:00, Telegram.
        await DeliverAsync(server, bot.MessageUpdate(4242, "The GPU on node gpu-3 reads 82C under load.", "Ann"));
        bot.TextsTo(4242).ShouldBe([model.Answer]);
        await DeliverAsync(server, bot.MessageUpdate(4242, "/link", "Ann"));
        var code = LinkCode().Match(bot.TextsTo(4242)[^1]).Groups[1].Value;
        code.ShouldNotBeEmpty();
        var telegram = (await server.SessionsOnAsync("telegram")).Single();

        // 9:05, the web page joins Ann's browser with the code and resumes her session.
        clock.Advance(TimeSpan.FromMinutes(5));
        var linked = await server.PostOkAsync("api/users/link", new { code, identity = new { @interface = "web", externalUserId = "cookie-9f2c" } }, HttpStatusCode.OK);
        ((string?)linked["id"]).ShouldBe((string?)telegram["userId"]);
        var web = await server.PostOkAsync("api/sessions", new { identity = new { @interface = "web", externalUserId = "cookie-9f2c" }, @interface = "web" }, HttpStatusCode.OK);
        ((string?)web["id"]).ShouldBe((string?)telegram["id"]);

        // 10:00, the CLI continues the session and asks what a model would be given for "what did we find?".
        clock.Advance(TimeSpan.FromMinutes(55));
        var url = server.Http.BaseAddress!.ToString();
        var continued = await CliRun.RunAsync("--server", url, "--json", "sessions", "continue", (string)telegram["id"]!, "--interface", "cli");
        continued.ExitCode.ShouldBe(0, continued.Err);
        var cliSession = (string)JsonNode.Parse(continued.Out)!["id"]!;
        var context = await CliRun.RunAsync("--server", url, "context", cliSession, "--query", "what did we find?");

        context.ExitCode.ShouldBe(0, context.Err);
        context.Out.ShouldContain("gpu-3 reads 82C under load");
        context.Out.ShouldContain("thermal throttling");
        context.Out.ShouldContain("telegram");
    }

    private static async Task DeliverAsync(ChannelServer server, JsonObject update)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "channels/telegram/webhook") { Content = new StringContent(update.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", Secret);
        using var response = await server.Http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"link code: (\S+)")]
    private static partial Regex LinkCode();
}
