using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary><c>continuum context SESSION [--query] [--budget]</c>: what a model would receive.</summary>
internal static class ContextCommand
{
    public static Command Create()
    {
        var session = new Argument<string>("session") { Description = "The session id." };
        var query = new Option<string?>("--query") { Description = "The question being asked (selects relevant memories)." };
        var budget = new Option<int?>("--budget") { Description = "Token budget (default: the session's token limit)." };
        var command = new Command("context", "Print what a model would receive for a session, with the tokens of each part.") { session, query, budget };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var context = await services.Context.BuildAsync(parse.GetValue(session)!, parse.GetValue(query), parse.GetValue(budget), cancellationToken);
            if (json)
            {
                Output.Json(context);
                return;
            }

            var t = context.Tokens;
            var table = new Table().AddColumns("part", "tokens");
            void Row(string name, int tokens) => table.AddRow(name, tokens.ToString(CultureInfo.InvariantCulture));
            Row("carried over", t.CarriedOver);
            Row("summaries", t.Summaries);
            Row("entities and topics", t.Entities);
            Row("memories", t.Memories);
            Row("recent messages", t.Recent);
            table.AddRow("[bold]total[/]", $"[bold]{t.Total.ToString(CultureInfo.InvariantCulture)}[/] of {context.Budget.ToString(CultureInfo.InvariantCulture)}");
            AnsiConsole.Write(table);
            Console.Out.WriteLine();
            Console.Out.WriteLine(context.Prompt);
        });
        return command;
    }
}
