using System.CommandLine;
using Continuum.Client;
using Continuum.Context;
using Continuum.Handoffs;
using Continuum.Mcp;
using Continuum.Server;
using Continuum.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Continuum.Cli.Mcp;

/// <summary>
/// <c>continuum mcp</c>: a Model Context Protocol server over stdio, so coding assistants and agents use Continuum
/// as tools. Against a running server with <c>--server</c>, otherwise in-process on the data directory (with the
/// background jobs a server runs). Standard output carries the protocol alone; logs go to standard error.
/// </summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var command = new Command("mcp", "Serve the Model Context Protocol over stdio: sessions, context, handoffs, briefings, the agent registry, hub and shared memory as tools for coding assistants and agents.");
        command.SetAction(async (parse, cancellationToken) => await CommandRunner.GuardAsync(async () =>
        {
            using var host = Build(parse);
            await host.RunAsync(cancellationToken);
        }));
        return command;
    }

    private static IHost Build(ParseResult parse)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        var server = parse.GetValue(CliOptions.Server) ?? Environment.GetEnvironmentVariable("CONTINUUM_SERVER");
        if (!string.IsNullOrWhiteSpace(server))
        {
            if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var baseAddress))
            {
                throw new CliUsageException($"--server '{server}' is not a URL (e.g. http://127.0.0.1:5080).");
            }

            var client = new ContinuumClient(new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(100) });
            builder.Services.AddSingleton(client);
            builder.Services.AddSingleton<ISessionService>(client);
            builder.Services.AddSingleton<IContextService>(client);
            builder.Services.AddSingleton<IHandoffService>(client);
            builder.Services.AddSingleton<Agents.IAgentRegistry>(client);
            builder.Services.AddSingleton<Agents.IMessageHub>(client);
            builder.Services.AddSingleton<Agents.ISharedMemory>(client);
            builder.Services.AddSingleton<Search.ISearchService>(client);
            builder.Services.AddSingleton<Memory.IMemoryService>(client);
        }
        else
        {
            if (parse.GetValue(CliOptions.Data) is { } data)
            {
                builder.Configuration.AddInMemoryCollection([new("Continuum:DataDirectory", data)]);
            }

            builder.Services.AddContinuum(builder.Configuration);
        }

        builder.Services.AddMcpServer(o => o.ServerInfo = ContinuumMcpExtensions.ServerInfo)
            .WithStdioServerTransport()
            .WithContinuumTools();
        return builder.Build();
    }
}
