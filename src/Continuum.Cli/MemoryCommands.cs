using System.CommandLine;
using System.Globalization;
using Continuum.Memory;
using Continuum.Search;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary><c>search</c>, <c>memories list|add|forget|show</c> and <c>conversations</c>.</summary>
internal static class MemoryCommands
{
    public static IEnumerable<Command> Create() => [Search(), Memories(), Conversations()];

    private static Command Search()
    {
        var query = new Argument<string>("query") { Description = "What to look for (a question works)." };
        var user = new Option<string?>("--user", "-u") { Description = "The user whose history is searched." };
        var session = new Option<string?>("--session", "-s") { Description = "Only this session." };
        var kinds = new Option<string?>("--kinds") { Description = "Comma-separated: event, summary, memory (default all)." };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Only items from this time (ISO 8601)." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Only items up to this time (ISO 8601)." };
        var limit = new Option<int?>("--limit", "-l") { Description = "How many results (default 10)." };
        var why = new Option<bool>("--why") { Description = "Show each ranker's rank and score." };
        var command = new Command("search", "Search a user's (or a session's) events, summaries and memories; each result says why it matched.")
        {
            query, user, session, kinds, from, to, limit, why,
        };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var response = await services.Get<ISearchService>().SearchAsync(new SearchRequest
            {
                Query = parse.GetValue(query),
                UserId = parse.GetValue(user),
                SessionId = parse.GetValue(session),
                Kinds = parse.GetValue(kinds)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                From = parse.GetValue(from),
                To = parse.GetValue(to),
                Limit = parse.GetValue(limit),
            }, cancellationToken);
            if (json)
            {
                Output.Json(response);
                return;
            }

            if (response.Results.Count == 0)
            {
                Console.Out.WriteLine($"Nothing found for: {string.Join(' ', response.Terms)}");
                return;
            }

            var table = new Table().AddColumns("#", "KIND", "WHERE", "WHEN", "TEXT", "MATCHED");
            var rank = 1;
            foreach (var r in response.Results)
            {
                var where = r.SessionId is null ? "-" : r.Seq is { } seq ? $"{r.SessionId}#{seq}" : r.SessionId;
                var matched = string.Join(", ", r.Why.Terms);
                if (parse.GetValue(why))
                {
                    matched += (matched.Length > 0 ? "; " : "") + string.Join(", ", r.Why.Rankers.Select(v => $"{v.Ranker} #{v.Rank} ({v.Score.ToString("0.###", CultureInfo.InvariantCulture)})"));
                }

                table.AddRow((rank++).ToString(CultureInfo.InvariantCulture), r.Kind, Markup.Escape(where), Output.Time(r.CreatedAt),
                    Markup.Escape(Output.Clip((r.Name is null ? "" : r.Name + ": ") + r.Content, 70)), Markup.Escape(matched));
            }

            AnsiConsole.Write(table);
        });
        return command;
    }

    private static Command Memories()
    {
        var user = new Option<string>("--user", "-u") { Description = "The user.", Required = true };
        var kind = new Option<string?>("--kind", "-k") { Description = "conversation, preference, fact or note." };
        var agent = new Option<string?>("--agent") { Description = "The agent the memory belongs to (default: all of the user's agents)." };

        var history = new Option<bool>("--history") { Description = "Also facts that were superseded." };
        var limit = new Option<int?>("--limit", "-l") { Description = "How many (default 50)." };
        var cursor = new Option<string?>("--cursor") { Description = "The cursor printed under the previous page." };
        var list = new Command("list", "A user's memories, most recently changed first.") { user, kind, agent, history, limit, cursor };
        list.Run(async (parse, services, json, cancellationToken) =>
        {
            var page = await services.Get<IMemoryService>().ListAsync(new MemoryQuery
            {
                UserId = parse.GetValue(user),
                Kind = parse.GetValue(kind),
                AgentId = parse.GetValue(agent),
                IncludeHistory = parse.GetValue(history),
                Limit = parse.GetValue(limit),
                Cursor = parse.GetValue(cursor),
            }, cancellationToken);
            if (json)
            {
                Output.Json(new { memories = page.Items, next = page.Next });
                return;
            }

            var memories = page.Items;

            var table = new Table().AddColumns("ID", "KIND", "TEXT", "VALID", "SEEN", "UPDATED");
            foreach (var m in memories)
            {
                var valid = m.ValidTo is { } until ? $"{m.ValidFrom:yyyy-MM-dd} to {until:yyyy-MM-dd}" : $"since {m.ValidFrom:yyyy-MM-dd}";
                table.AddRow(Markup.Escape(m.Id), m.Kind, Markup.Escape(Output.Clip(m.Content, 60)), valid, m.Mentions.ToString(CultureInfo.InvariantCulture), Output.Time(m.UpdatedAt));
            }

            AnsiConsole.Write(table);
            Console.Out.WriteLine($"{memories.Count} memories");
            Output.More(page.Next);
        });

        var content = new Argument<string>("content") { Description = "The memory's text." };
        var subject = new Option<string?>("--subject") { Description = "What a fact is about (derived from the text when absent)." };
        var session = new Option<string?>("--session", "-s") { Description = "The session it came from." };
        var add = new Command("add", "Add a memory; a near-duplicate merges, a contradicting fact closes the older one.") { content, user, kind, agent, subject, session };
        add.Run(async (parse, services, json, cancellationToken) =>
        {
            var write = await services.Get<IMemoryService>().AddAsync(new NewMemory
            {
                UserId = parse.GetValue(user),
                Kind = parse.GetValue(kind),
                AgentId = parse.GetValue(agent),
                Subject = parse.GetValue(subject),
                SessionId = parse.GetValue(session),
                Content = parse.GetValue(content),
            }, cancellationToken);
            if (json)
            {
                Output.Json(write);
                return;
            }

            Console.Out.WriteLine(write.Action switch
            {
                "merged" => $"Merged into {write.Memory.Id} (stated {write.Memory.Mentions} times).",
                "superseded" => $"Added {write.Memory.Id}; it supersedes {string.Join(", ", write.Superseded.Select(s => $"{s.Id} (\"{Output.Clip(s.Content, 40)}\")"))}.",
                _ => $"Added {write.Memory.Id} ({write.Memory.Kind}).",
            });
        });

        var id = new Argument<string>("id") { Description = "The memory id." };
        var forget = new Command("forget", "Forget a memory.") { id };
        forget.Run(async (parse, services, json, cancellationToken) =>
        {
            var memoryId = parse.GetValue(id)!;
            if (!await services.Get<IMemoryService>().DeleteAsync(memoryId, cancellationToken))
            {
                throw new CliUsageException($"Memory '{memoryId}' was not found.");
            }

            Console.Out.WriteLine(json ? "{\"forgotten\": true}" : $"Forgot {memoryId}.");
        });

        var showId = new Argument<string>("id") { Description = "The memory id." };
        var show = new Command("show", "One memory with its sources and validity.") { showId };
        show.Run(async (parse, services, json, cancellationToken) =>
        {
            var m = await services.Get<IMemoryService>().GetAsync(parse.GetValue(showId)!, cancellationToken);
            if (json)
            {
                Output.Json(m);
                return;
            }

            Console.Out.WriteLine($"{m.Id} ({m.Kind}{(m.Subject is null ? "" : ", about " + m.Subject)})");
            Console.Out.WriteLine(m.Content);
            Console.Out.WriteLine($"Valid from {Output.Time(m.ValidFrom)}{(m.ValidTo is { } t ? $" to {Output.Time(t)}, superseded by {m.SupersededBy}" : "")}; stated {m.Mentions} times.");
            foreach (var s in m.Sources)
            {
                Console.Out.WriteLine($"  from {s.SessionId}{(s.Seq is { } seq ? "#" + seq.ToString(CultureInfo.InvariantCulture) : "")}");
            }
        });

        return new Command("memories", "Long-term memories: list, add, forget, show.") { list, add, forget, show };
    }

    private static Command Conversations()
    {
        var user = new Argument<string>("user") { Description = "The user." };
        var limit = new Option<int?>("--limit", "-l") { Description = "How many (default 20)." };
        var cursor = new Option<string?>("--cursor") { Description = "The cursor printed under the previous page." };
        var command = new Command("conversations", "A user's past sessions with title, last message and counts.") { user, limit, cursor };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var page = await services.Get<IMemoryService>().ConversationsAsync(parse.GetValue(user)!, parse.GetValue(limit), parse.GetValue(cursor), cancellationToken);
            if (json)
            {
                Output.Json(new { conversations = page.Items, next = page.Next });
                return;
            }

            var conversations = page.Items;
            var table = new Table().AddColumns("SESSION", "TITLE", "WHERE", "STATUS", "MESSAGES", "LAST ACTIVE", "LAST MESSAGE");
            foreach (var c in conversations)
            {
                table.AddRow(Markup.Escape(c.SessionId), Markup.Escape(Output.Clip(c.Title, 30)), Markup.Escape(c.Interface), c.Status,
                    c.Messages.ToString(CultureInfo.InvariantCulture), Output.Time(c.LastActiveAt), Markup.Escape(Output.Clip(c.LastMessage, 50)));
            }

            AnsiConsole.Write(table);
            Output.More(page.Next);
        });
        return command;
    }
}
