using System.CommandLine;
using Continuum.Cli;

var root = new RootCommand("continuum: one persistent session and memory layer for every LLM interface and agent.")
{
    CliOptions.Server,
    CliOptions.Data,
    CliOptions.Json,
    CliOptions.Key,
    ServeCommand.Create(),
    DbCommand.Create(),
    SessionsCommand.Create(),
    UsersCommand.Create(),
    ContextCommand.Create(),
    HandoffCommand.Create(),
    HandoffCommand.Briefing(),
    HandoffCommand.Timeline(),
    HandoffCommand.Knowledge(),
    Continuum.Cli.Mcp.McpCommand.Create(),
    StatsCommand.Create(),
    KeysCommand.Create(),
};

foreach (var command in AgentCommands.Create().Concat(MemoryCommands.Create()))
{
    root.Subcommands.Add(command);
}

var parse = root.Parse(args);
if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine("Run 'continuum --help' for usage.");
    return CommandRunner.UserError;
}

return await parse.InvokeAsync();
