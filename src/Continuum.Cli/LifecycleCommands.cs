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

    /// <summary><c>continuum export [--user U | --session S | --project P] [--output FILE]</c>.</summary>
    public static Command Export()
    {
        var user = new Option<string?>("--user") { Description = "Export one user: identities, sessions, events, summaries, memories, entities." };
        var session = new Option<string?>("--session") { Description = "Export one session with its events, summaries and entities." };
        var project = new Option<string?>("--project") { Description = "Export one project: handoffs, knowledge base, shared-memory namespace." };
        var output = new Option<string?>("--output", "-o") { Description = "The file to write (default: standard output)." };
        var command = new Command("export", "Export the tenant (or a user, session or project) as JSON Lines (docs/export.md).") { user, session, project, output };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var picked = new[] { (ExportScope.User, parse.GetValue(user)), (ExportScope.Session, parse.GetValue(session)), (ExportScope.Project, parse.GetValue(project)) }
                .Where(p => p.Item2 is not null).ToList();
            if (picked.Count > 1)
            {
                throw new CliUsageException("Give at most one of --user, --session and --project.");
            }

            var scope = picked.Count == 0 ? new ExportScope(ExportScope.Tenant, null) : new ExportScope(picked[0].Item1, picked[0].Item2);
            var path = parse.GetValue(output);
            var lifecycle = services.Get<ILifecycleService>();
            var stream = path is null or "-" ? Console.OpenStandardOutput() : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            ExportSummary summary;
            await using (stream)
            {
                summary = await WithProgressAsync("Exporting", path is null or "-", p => lifecycle.ExportAsync(scope, stream, p, cancellationToken));
            }

            if (path is not null and not "-")
            {
                Report(json, new { scope = scope.Kind, id = scope.Id, records = summary.Records, file = path }, $"Exported {summary.Records} records to {path}.");
            }
        });
        return command;
    }

    /// <summary><c>continuum import FILE</c>.</summary>
    public static Command Import()
    {
        var file = new Argument<string>("file") { Description = "An export (JSON Lines), or - for standard input." };
        var command = new Command("import", "Import an export; records already stored are skipped, so importing twice changes nothing.") { file };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            var lifecycle = services.Get<ILifecycleService>();
            var stream = path == "-" ? Console.OpenStandardInput() : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            ImportResult result;
            await using (stream)
            {
                result = await WithProgressAsync("Importing", false, p => lifecycle.ImportAsync(stream, p, cancellationToken));
            }

            Report(json, result, $"Imported {result.Records} records: {result.Inserted.Values.Sum()} written, {result.Skipped} already there.");
        });
        return command;
    }

    private static void Report(bool json, object value, string text)
    {
        if (json)
        {
            Output.Json(value);
        }
        else
        {
            AnsiConsole.MarkupLine(Markup.Escape(text));
        }
    }

    // A live count on a terminal; plain lines on standard error when it is redirected (or when the data goes to
    // standard output, which the progress must not mix into).
    private static async Task<T> WithProgressAsync<T>(string verb, bool dataOnStdout, Func<IProgress<long>, Task<T>> work)
    {
        if (!dataOnStdout && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask($"{verb}: 0 records").IsIndeterminate();
                    var result = await work(new Progress<long>(n => task.Description = $"{verb}: {n:N0} records"));
                    task.StopTask();
                    return result;
                });
        }

        long lastReported = 0;
        return await work(new Progress<long>(n =>
        {
            if (n - Interlocked.Read(ref lastReported) >= 100_000)
            {
                Interlocked.Exchange(ref lastReported, n);
                Console.Error.WriteLine($"{verb}: {n} records");
            }
        }));
    }
}
