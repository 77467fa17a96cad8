using Continuum.Channels.Tests.Fakes;
using Continuum.Server.Tests.Handoffs;

namespace Continuum.Channels.Tests;

/// <summary><c>continuum discord register-commands</c>, the real CLI as a child process, against the fake Discord API.</summary>
public sealed class DiscordCommandRegistrationTests
{
    [Fact]
    public async Task Register_commands_overwrites_the_applications_commands_with_the_bots()
    {
        await using var discord = await FakeDiscordApi.StartAsync();

        var result = await CliRun.RunAsync(new Dictionary<string, string?>
        {
            ["Continuum__Channels__Discord__ApplicationId"] = "800000000000000009",
            ["Continuum__Channels__Discord__BotToken"] = FakeDiscordApi.BotToken,
            ["Continuum__Channels__Discord__BaseUrl"] = discord.BaseUrl,
        }, "discord", "register-commands");

        result.ExitCode.ShouldBe(0, result.Err);
        result.Out.ShouldContain("Registered 7 commands");
        result.Out.ShouldNotContain(FakeDiscordApi.BotToken);
        var put = (await discord.Calls.WaitForAsync(c => c.Kind == "commands")).Single();
        put.Target.ShouldBe("800000000000000009");
        put.Body.AsArray().Select(c => (string?)c!["name"]).ShouldBe(["ask", "start", "reset", "link", "continue", "memories", "forget"]);
        ((bool?)put.Body[0]!["options"]![0]!["required"]).ShouldBe(true);
    }

    [Fact]
    public async Task Register_commands_without_a_token_says_what_to_set()
    {
        var result = await CliRun.RunAsync(new Dictionary<string, string?> { ["Continuum__Channels__Discord__ApplicationId"] = "1" }, "discord", "register-commands");

        result.ExitCode.ShouldBe(1);
        result.Err.ShouldContain("Continuum:Channels:Discord:BotToken");
    }

    [Fact]
    public async Task The_telegram_command_without_a_token_says_what_to_set()
    {
        var result = await CliRun.RunAsync(new Dictionary<string, string?> { ["Continuum__Channels__Telegram__Token"] = null }, "telegram");

        result.ExitCode.ShouldBe(1);
        result.Err.ShouldContain("Continuum:Channels:Telegram:Token");
    }
}
