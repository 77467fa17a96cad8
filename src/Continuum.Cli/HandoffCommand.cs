using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Continuum.Handoffs;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary><c>continuum handoff create|show|list|draft|export</c>, <c>continuum briefing</c>, <c>continuum timeline</c>, <c>continuum knowledge</c>.</summary>
internal static class HandoffCommand
{
    private static readonly JsonSerializerOptions IndentedJson = new(Continuum.Json.JsonDefaults.Options) { WriteIndented = true };

    public static Command Create()
    {
        var command = new Command("handoff", "Capture, show, draft and export session handoffs.");
        command.Subcommands.Add(CreateCommand());
        command.Subcommands.Add(ShowCommand());
        command.Subcommands.Add(DraftCommand());
        command.Subcommands.Add(ExportCommand());
        return command;
    }

    /// <summary><c>continuum briefing PROJECT [--budget N] [--as-of T]</c>.</summary>
    public static Command Briefing()
    {
        var project = new Argument<string>("project") { Description = "The project." };
        var budget = new Option<int?>("--budget") { Description = "Token budget (default 2000)." };
        var asOf = new Option<string?>("--as-of") { Description = "The briefing as it would have been at this date or time." };
        var command = new Command("briefing", "Print the Markdown a new session of the project reads first.") { project, budget, asOf };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var briefing = await services.Get<IHandoffService>().GetBriefingAsync(parse.GetValue(project)!, parse.GetValue(budget),
                TimeArgument.Parse(parse.GetValue(asOf), "--as-of", endOfDay: true), cancellationToken);
            if (json)
            {
                Output.Json(briefing);
                return;
            }

            Console.Out.Write(briefing.Markdown);
            Console.Error.WriteLine($"({briefing.Tokens} of {briefing.Budget} tokens by {briefing.Tokenizer}{(briefing.Omitted > 0 ? $", {briefing.Omitted} items left out" : "")})");
        });
        return command;
    }

    /// <summary><c>continuum timeline PROJECT [--since] [--until]</c>: the chain of sessions.</summary>
    public static Command Timeline()
    {
        var project = new Argument<string>("project") { Description = "The project." };
        var since = new Option<string?>("--since") { Description = "From this date or time (a date is its whole day)." };
        var until = new Option<string?>("--until") { Description = "Up to this date or time (a date is its whole day)." };
        var limit = new Option<int?>("--limit") { Description = "At most this many handoffs (default 100, at most 1000)." };
        var cursor = new Option<string?>("--cursor") { Description = "The cursor printed under the previous page." };
        var command = new Command("timeline", "What happened in a project, handoff by handoff, between two dates.") { project, since, until, limit, cursor };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var page = await services.Get<IHandoffService>().ListAsync(parse.GetValue(project)!, TimeArgument.Parse(parse.GetValue(since), "--since"),
                TimeArgument.Parse(parse.GetValue(until), "--until", endOfDay: true), parse.GetValue(limit), parse.GetValue(cursor), cancellationToken);
            if (json)
            {
                Output.Json(new { handoffs = page.Items, next = page.Next });
                return;
            }

            var items = page.Items;

            if (items.Count == 0)
            {
                Console.Out.WriteLine("No handoffs in that time.");
                return;
            }

            var table = new Table().AddColumns("ended", "handoff", "session", "by", "goal", "done", "decisions", "next");
            foreach (var h in items)
            {
                table.AddRow(Output.Time(h.EndedAt ?? h.CreatedAt), h.Id, Markup.Escape(h.SessionId ?? "-"), Markup.Escape(h.Author ?? "-"), Markup.Escape(Output.Clip(h.Goal, 50)),
                    Count(h.Achievements.Count), Count(h.Decisions.Count), Count(h.NextSteps.Count));
            }

            AnsiConsole.Write(table);
            Output.More(page.Next);
        });
        return command;
    }

    /// <summary><c>continuum knowledge PROJECT [--as-of]</c>: the knowledge base.</summary>
    public static Command Knowledge()
    {
        var project = new Argument<string>("project") { Description = "The project." };
        var asOf = new Option<string?>("--as-of") { Description = "The knowledge base as it was at this date or time." };
        var command = new Command("knowledge", "Print a project's knowledge base: decisions, pending work, insights, architecture, code.") { project, asOf };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var kb = await services.Get<IHandoffService>().GetKnowledgeAsync(parse.GetValue(project)!, TimeArgument.Parse(parse.GetValue(asOf), "--as-of", endOfDay: true), cancellationToken);
            if (json)
            {
                Output.Json(kb);
                return;
            }

            Console.Out.WriteLine($"{kb.Project}: {kb.TotalHandoffs} handoffs, {kb.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} hours, as of {Output.Time(kb.AsOf)}");
            var pending = new Table().Title("pending work").AddColumns("id", "priority", "status", "task");
            foreach (var p in kb.PendingWork.OrderBy(p => p.Status).ThenBy(p => Priorities.Rank(p.Priority)))
            {
                var colour = p.Status == PendingStatus.Done ? "green" : p.Priority == "high" ? "red" : "yellow";
                pending.AddRow(p.Id, p.Priority, $"[{colour}]{p.Status}[/]", Markup.Escape(p.Task));
            }

            AnsiConsole.Write(pending);
            var decisions = new Table().Title("decisions").AddColumns("id", "date", "decision");
            foreach (var d in kb.Decisions)
            {
                decisions.AddRow(d.Id, d.Date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Markup.Escape(d.Decision));
            }

            AnsiConsole.Write(decisions);
        });
        return command;
    }

    private static Command CreateCommand()
    {
        var project = new Option<string?>("--project", "-p") { Description = "The project (overrides the file's own)." };
        var file = new Option<string?>("--file", "-f") { Description = "A handoff JSON file (Continuum's or the session-context layout); '-' reads standard input. Without it, asks question by question." };
        var session = new Option<string?>("--session") { Description = "The session handing off." };
        var command = new Command("create", "Store a handoff and fold it into the project's knowledge base.") { project, file, session };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var handoff = parse.GetValue(file) is { } path ? await ReadFileAsync(path, parse.GetValue(project), cancellationToken) : Ask(parse.GetValue(project));
            if (parse.GetValue(session) is { } id)
            {
                handoff = handoff with { SessionId = id };
            }

            var receipt = await services.Get<IHandoffService>().CreateAsync(handoff, cancellationToken);
            if (json)
            {
                Output.Json(receipt);
                return;
            }

            Console.Out.WriteLine($"Stored {receipt.Handoff.Id} in {receipt.Handoff.Project}: {receipt.Decisions.Count} decisions logged, {receipt.Opened.Count} tasks opened, {receipt.Closed.Count} closed.");
            foreach (var closed in receipt.Closed)
            {
                Console.Out.WriteLine($"  closed {closed.Id}: {closed.Task}");
            }
        });
        return command;
    }

    private static Command ShowCommand()
    {
        var id = new Argument<string>("id") { Description = "The handoff id." };
        var command = new Command("show", "Print a handoff document (Markdown), or its JSON with --json.") { id };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var handoff = await services.Get<IHandoffService>().GetAsync(parse.GetValue(id)!, cancellationToken);
            if (json)
            {
                Output.Json(handoff);
                return;
            }

            Console.Out.Write(HandoffMarkdown.Render(handoff));
        });
        return command;
    }

    private static Command DraftCommand()
    {
        var session = new Argument<string>("session") { Description = "The session to draft a handoff from." };
        var project = new Option<string?>("--project", "-p") { Description = "The project (default: the session's metadata.project)." };
        var output = new Option<string?>("--out", "-o") { Description = "Write the draft JSON to this file, to correct and then 'handoff create --file'." };
        var command = new Command("draft", "Draft a handoff from a session's events and summaries; prints JSON to correct.") { session, project, output };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var draft = await services.Get<IHandoffService>().DraftAsync(parse.GetValue(session)!, parse.GetValue(project), cancellationToken);
            var text = JsonSerializer.Serialize(draft, IndentedJson);
            if (parse.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, text + Environment.NewLine, cancellationToken);
                Console.Out.WriteLine($"Draft written to {path}: {draft.Achievements.Count} achievements, {draft.Decisions.Count} decisions, {draft.NextSteps.Count} next steps. Correct it, then: continuum handoff create --file {path}");
                return;
            }

            Console.Out.WriteLine(text);
        });
        return command;
    }

    private static Command ExportCommand()
    {
        var project = new Option<string>("--project", "-p") { Description = "The project.", Required = true };
        var dir = new Option<string>("--dir", "-d") { Description = "The folder to write (created if missing; files of an earlier export are replaced).", Required = true };
        var command = new Command("export", "Write a project's handoffs and knowledge base as files: SESSION_HANDOFFS/, UNIFIED_KNOWLEDGE.json, DECISIONS_LOG.json, ...") { project, dir };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var handoffs = services.Get<IHandoffService>();
            var name = parse.GetValue(project)!;
            var knowledge = await handoffs.GetKnowledgeAsync(name, null, cancellationToken);
            var all = new List<Handoff>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? cursor = null;
            do
            {
                var page = await handoffs.ListAsync(name, null, knowledge.AsOf, 1000, cursor, cancellationToken);
                all.AddRange(page.Items.Where(h => seen.Add(h.Id)));
                cursor = page.Next;
            }
            while (cursor is not null);

            var root = Path.GetFullPath(parse.GetValue(dir)!);
            var files = HandoffExport.Files(knowledge, all);
            foreach (var (relative, content) in files)
            {
                var path = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, content, cancellationToken);
            }

            if (json)
            {
                Output.Json(new { directory = root, files = files.Keys });
                return;
            }

            Console.Out.WriteLine($"Wrote {files.Count} files ({all.Count} handoffs) to {root}");
        });
        return command;
    }

    private static async Task<Handoff> ReadFileAsync(string path, string? project, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = path == "-" ? await Console.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliUsageException($"No such file: {path}");
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return HandoffJson.Parse(document.RootElement, project);
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"{path} is not valid JSON: {ex.Message}");
        }
    }

    // Question by question, for a person at a terminal.
    private static Handoff Ask(string? project)
    {
        if (Console.IsInputRedirected)
        {
            throw new CliUsageException("Give the handoff with --file FILE (or --file - to read standard input), or run in a terminal to be asked.");
        }

        string? Line(string question)
        {
            Console.Error.Write(question + ": ");
            var answer = Console.ReadLine()?.Trim();
            return string.IsNullOrEmpty(answer) ? null : answer;
        }

        List<string> Lines(string question)
        {
            Console.Error.WriteLine(question + " (one per line, an empty line ends):");
            var items = new List<string>();
            while (Console.ReadLine()?.Trim() is { Length: > 0 } line)
            {
                items.Add(line);
            }

            return items;
        }

        var name = project ?? Line("Project") ?? throw new CliUsageException("A project is required.");
        return new Handoff
        {
            Project = name,
            Goal = Line("Goal of the session"),
            Achievements = Lines("Achievements"),
            Decisions = [.. Lines("Decisions, as 'decision | reasoning | impact'").Select(l => l.Split('|', 3, StringSplitOptions.TrimEntries) switch
            {
                [var d, var r, var i] => new HandoffDecision(d, r, i),
                [var d, var r] => new HandoffDecision(d, r),
                var parts => new HandoffDecision(parts[0]),
            })],
            Insights = Lines("Insights"),
            Blockers = [.. Lines("Blockers, as 'blocker | solution | lesson'").Select(l => l.Split('|', 3, StringSplitOptions.TrimEntries) switch
            {
                [var b, var s, var les] => new HandoffBlocker(b, s, les),
                [var b, var s] => new HandoffBlocker(b, s),
                var parts => new HandoffBlocker(parts[0]),
            })],
            NextSteps = [.. Lines("Next steps, as '[high] task' (high, medium or low)").Select(ParseStep)],
            FilesModified = Lines("Files touched"),
            Notes = Line("Notes for the next session"),
        };
    }

    private static NextStep ParseStep(string line)
    {
        if (line.StartsWith('[') && line.IndexOf(']', StringComparison.Ordinal) is var close and > 1)
        {
            return new NextStep(line[(close + 1)..].Trim(), line[1..close].Trim().ToLowerInvariant());
        }

        return new NextStep(line);
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);
}
