using System.CommandLine;
using Continuum.Lifecycle;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary><c>continuum users forget</c>, <c>continuum export</c>, <c>continuum import</c>.</summary>
internal static class LifecycleCommands
{
    private static readonly Option<bool> Yes = new("--yes", "-y") { Description = "Do not ask for confirmation." };

    /// <summary><c>continuum users forget USER [--yes]</c>.</summary>
    public static Command Forget(Argument<string> userId)
    {
        var command = new Command("forget", "Erase everything about a user: identities, sessions, events, summaries, memories, entities, embeddings, shared entries of their sessions.") { userId, Yes };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var id = parse.GetValue(userId)!;
            if (!parse.GetValue(Yes))
            {
                if (Console.IsInputRedirected)
                {
                    throw new CliUsageException($"Forgetting {id} cannot be undone; pass --yes to confirm without a terminal.");
                }

                if (!await new ConfirmationPrompt($"Erase everything about [bold]{Markup.Escape(id)}[/]? This cannot be undone.") { DefaultValue = false }.ShowAsync(AnsiConsole.Console, cancellationToken))
                {
                    throw new CliUsageException("Nothing was erased.");
                }
            }

            var result = await services.Get<ILifecycleService>().ForgetUserAsync(id, cancellationToken);
            if (json)
            {
                Output.Json(result);
                return;
            }

            AnsiConsole.MarkupLine($"Forgot {Markup.Escape(result.UserId)}: " + Markup.Escape(string.Join(", ", result.Counts.Where(c => c.Value > 0).Select(c => $"{c.Value} {c.Key}"))) + ".");
        });
        return command;
    }
}
