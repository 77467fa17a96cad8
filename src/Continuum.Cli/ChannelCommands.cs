using System.CommandLine;
using Continuum.Channels;
using Continuum.Channels.Discord;
using Continuum.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Continuum.Cli;

/// <summary>
/// <c>continuum telegram</c> and <c>continuum discord</c>: one bot on its own, in-process on the data directory
/// (the same composition root as every in-process command), with the background jobs a server runs. The tokens come
/// from configuration: environment variables <c>Continuum__Channels__…</c> or <c>--Continuum:Channels:… value</c>.
/// </summary>
internal static class ChannelCommands
{
    public static Command Telegram()
    {
        var urls = new Option<string>("--urls") { Description = "Where to serve /channels/telegram/webhook in webhook mode.", DefaultValueFactory = _ => "http://127.0.0.1:5081" };
        var command = new Command("telegram", "Run the Telegram bot on the data directory: long polling, or with Continuum:Channels:Telegram:Mode=webhook the webhook on --urls. " +
            "The token is Continuum:Channels:Telegram:Token (environment Continuum__Channels__Telegram__Token).")
        {
            urls,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => CommandRunner.GuardAsync(async () =>
        {
            var configuration = Configuration(parse, "Continuum:Channels:Discord:PublicKey");
            var telegram = (configuration.GetSection(ChannelsOptions.SectionName).Get<ChannelsOptions>() ?? new ChannelsOptions()).Telegram;
            if (!telegram.Enabled)
            {
                throw new CliUsageException("Set the bot's token: Continuum:Channels:Telegram:Token (environment Continuum__Channels__Telegram__Token), from BotFather.");
            }

            await RunAsync(configuration, telegram.IsWebhook ? parse.GetValue(urls) : null, cancellationToken);
        }));
        return command;
    }

    public static Command Discord()
    {
        var urls = new Option<string>("--urls") { Description = "Where to serve /channels/discord/interactions (put it behind the HTTPS address named as the interactions endpoint URL).", DefaultValueFactory = _ => "http://127.0.0.1:5082" };
        var command = new Command("discord", "Run the Discord bot on the data directory: the interactions endpoint on --urls, and the mention reader when Continuum:Channels:Discord:MentionChannels are named. " +
            "Needs Continuum:Channels:Discord:PublicKey (and BotToken for mentions).")
        {
            urls,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => CommandRunner.GuardAsync(async () =>
        {
            var configuration = Configuration(parse, "Continuum:Channels:Telegram:Token");
            if (!Discord(configuration).Enabled)
            {
                throw new CliUsageException("Set the application's public key: Continuum:Channels:Discord:PublicKey (environment Continuum__Channels__Discord__PublicKey), from the developer portal.");
            }

            await RunAsync(configuration, parse.GetValue(urls), cancellationToken);
        }));

        var register = new Command("register-commands", "Register the bot's slash commands (ask, start, reset, link, continue, memories, forget) with Discord. " +
            "Needs Continuum:Channels:Discord:ApplicationId and :BotToken.");
        register.TreatUnmatchedTokensAsErrors = false;
        register.SetAction((parse, cancellationToken) => CommandRunner.GuardAsync(async () =>
        {
            var discord = Discord(Configuration(parse, "Continuum:Channels:Telegram:Token"));
            if (string.IsNullOrWhiteSpace(discord.ApplicationId) || string.IsNullOrWhiteSpace(discord.BotToken))
            {
                throw new CliUsageException("Set Continuum:Channels:Discord:ApplicationId and Continuum:Channels:Discord:BotToken (environment Continuum__Channels__Discord__BotToken).");
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var count = await DiscordCommandRegistrar.RegisterAsync(discord, http, cancellationToken);
            if (parse.GetValue(CliOptions.Json))
            {
                Console.WriteLine($$"""{"registered":{{count}}}""");
            }
            else
            {
                Console.WriteLine($"Registered {count} commands with Discord application {discord.ApplicationId}.");
            }
        }));
        command.Subcommands.Add(register);
        return command;
    }

    private static DiscordOptions Discord(IConfiguration configuration) =>
        (configuration.GetSection(ChannelsOptions.SectionName).Get<ChannelsOptions>() ?? new ChannelsOptions()).Discord;

    // The environment, then --Continuum:Key value pairs; the other channel is switched off so one command runs one bot.
    private static IConfigurationRoot Configuration(ParseResult parse, string otherKey)
    {
        var builder = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine([.. parse.UnmatchedTokens]);
        var settings = new List<KeyValuePair<string, string?>> { new(otherKey, "") };
        if (parse.GetValue(CliOptions.Data) is { } data)
        {
            settings.Add(new("Continuum:DataDirectory", data));
        }

        return builder.AddInMemoryCollection(settings).Build();
    }

    private static async Task RunAsync(IConfigurationRoot configuration, string? urls, CancellationToken cancellationToken)
    {
        if (urls is null)
        {
            var host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
            host.Configuration.AddConfiguration(configuration);
            host.Services.AddContinuum(host.Configuration);
            host.Services.AddContinuumChannels(host.Configuration);
            using var app = host.Build();
            await app.RunAsync(cancellationToken);
            return;
        }

        var web = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--urls", urls], ContentRootPath = AppContext.BaseDirectory });
        web.Configuration.AddConfiguration(configuration);
        web.Services.AddProblemDetails();
        web.Services.AddContinuum(web.Configuration);
        web.Services.AddContinuumChannels(web.Configuration);
        var server = web.Build();
        await using (server)
        {
            server.MapContinuumChannels();
            await server.RunAsync();
        }
    }
}
