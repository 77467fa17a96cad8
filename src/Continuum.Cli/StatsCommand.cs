using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary><c>continuum stats</c>.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var command = new Command("stats", "Totals over sessions, users, messages, tokens, agents and shared memory.");
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var stats = await services.Stats.GetStatsAsync(cancellationToken);
            var agentStats = await services.Get<Agents.IAgentRegistry>().GetAgentStatsAsync(null, cancellationToken);
            var shared = await services.Get<Agents.ISharedMemory>().GetSharedStatsAsync(cancellationToken);
            if (json)
            {
                Output.Json(new { sessions = stats, agents = agentStats, shared });
                return;
            }

            var table = new Table().AddColumns("what", "value");
            void Row(string name, object value) => table.AddRow(name, Markup.Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
            Row("sessions", stats.TotalSessions);
            Row("active sessions", stats.ActiveSessions);
            Row("users", stats.Users);
            Row("events", stats.Events);
            Row("messages", stats.Messages);
            Row("input tokens", stats.InputTokens);
            Row("output tokens", stats.OutputTokens);
            Row("tool calls", stats.ToolCalls);
            Row("errors", stats.Errors);
            Row("messages per session", Math.Round(stats.AverageMessagesPerSession, 1));
            Row("by interface", string.Join(", ", stats.SessionsByInterface.Select(p => $"{p.Key} {p.Value}")));
            Row("by status", string.Join(", ", stats.SessionsByStatus.Select(p => $"{p.Key} {p.Value}")));
            Row("agents", $"{agentStats.Total} ({agentStats.Active} active: {string.Join(", ", agentStats.ByStatus.Where(p => p.Value > 0).Select(p => $"{p.Key} {p.Value}"))})");
            Row("shared memory", $"{shared.Keys} keys, {shared.Versions} versions, {shared.Namespaces} namespaces");
            AnsiConsole.Write(table);
        });
        return command;
    }
}
