using System.CommandLine;
using Continuum.Agents;
using Spectre.Console;

using static Continuum.Cli.AgentCommands;

namespace Continuum.Cli;

/// <summary>The registry's commands: <c>register</c>, <c>list</c>, <c>ping</c>, <c>status</c>.</summary>
internal static class RegistryCommands
{
    public static IEnumerable<Command> Create() => [Register(), List(), Ping(), Status()];

    private static Command Register()
    {
        var id = new Argument<string>("id") { Description = "The session id to register." };
        var name = new Argument<string>("name") { Description = "The agent's name." };
        var type = new Argument<string>("type") { Description = "The agent's type or model (Claude, GPT-4, ...)." };
        var user = new Option<string?>("--user") { Description = "The person it works for." };
        var capabilities = new Option<string?>("--capabilities") { Description = "Comma-separated capabilities (python,review,planning)." };
        var command = new Command("register", "Register a session as an agent.") { id, name, type, user, capabilities, NamespaceOption };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var (agent, created) = await services.Get<IAgentRegistry>().RegisterAsync(parse.GetValue(id)!, new AgentRegistration
            {
                AgentName = parse.GetValue(name),
                AgentType = parse.GetValue(type),
                HumanUser = parse.GetValue(user),
                Capabilities = Split(parse.GetValue(capabilities)),
                Namespace = parse.GetValue(NamespaceOption),
            }, cancellationToken);
            Print(json, agent, () => AnsiConsole.MarkupLine($"{(created ? "Registered" : "Updated")} [bold]{Markup.Escape(agent.SessionId)}[/] as {Markup.Escape(agent.AgentName)} ({Markup.Escape(agent.AgentType)}) in {Markup.Escape(agent.Namespace)}."));
        });
        return command;
    }

    private static Command List()
    {
        var all = new Option<bool>("--all") { Description = "Offline agents too." };
        var status = new Option<string?>("--status") { Description = "Only this status." };
        var capability = new Option<string?>("--capability") { Description = "Only agents with this capability." };
        var command = new Command("list", "List agent sessions with their status.") { all, status, capability, NamespaceOption };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var agents = services.Get<IAgentRegistry>();
            var list = await AllPagesAsync(cursor => agents.ListAgentsAsync(
                new AgentQuery(parse.GetValue(status), parse.GetValue(capability), parse.GetValue(all), parse.GetValue(NamespaceOption), Cursor: cursor), cancellationToken));
            if (json)
            {
                Output.Json(list);
                return;
            }

            var table = new Table().AddColumns("SESSION ID", "AGENT", "TYPE", "STATUS", "USER", "TASK", "LAST SEEN");
            foreach (var a in list)
            {
                table.AddRow(Markup.Escape(a.SessionId), Markup.Escape(a.AgentName), Markup.Escape(a.AgentType), $"[{Colour(a.Status)}]{a.Status}[/]",
                    Markup.Escape(a.HumanUser ?? "-"), Markup.Escape(Output.Clip(a.CurrentTask, 30)), Output.Time(a.LastSeenAt));
            }

            AnsiConsole.Write(table);
            var stats = await agents.GetAgentStatsAsync(parse.GetValue(NamespaceOption), cancellationToken);
            Console.Out.WriteLine($"Total: {stats.Total}  Active: {stats.Active}  By status: {string.Join(", ", stats.ByStatus.Where(p => p.Value > 0).Select(p => $"{p.Key} {p.Value}"))}");
        });
        return command;
    }

    private static Command Ping()
    {
        var id = new Argument<string>("id") { Description = "The agent's session id." };
        var command = new Command("ping", "Send a heartbeat for a session.") { id };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var agent = await services.Get<IAgentRegistry>().PingAsync(parse.GetValue(id)!, cancellationToken);
            Print(json, agent, () => AnsiConsole.MarkupLine($"{Markup.Escape(agent.SessionId)} is [{Colour(agent.Status)}]{agent.Status}[/]."));
        });
        return command;
    }

    private static Command Status()
    {
        var id = new Argument<string>("id") { Description = "The agent's session id." };
        var status = new Argument<string>("status") { Description = "active, working, idle, blocked or offline." };
        var task = new Option<string?>("--task") { Description = "What it is working on." };
        var command = new Command("status", "Set an agent's status and current task.") { id, status, task };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var agent = await services.Get<IAgentRegistry>().SetStatusAsync(parse.GetValue(id)!, parse.GetValue(status)!, parse.GetValue(task), cancellationToken);
            Print(json, agent, () => AnsiConsole.MarkupLine($"{Markup.Escape(agent.SessionId)} is [{Colour(agent.Status)}]{agent.Status}[/]{(agent.CurrentTask is { } t ? ": " + Markup.Escape(t) : "")}."));
        });
        return command;
    }
}
