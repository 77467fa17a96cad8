using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Continuum.Agents;
using Continuum.Client;
using Spectre.Console;

using static Continuum.Cli.AgentCommands;

namespace Continuum.Cli;

/// <summary>The hub's commands: <c>send</c>, <c>broadcast</c>, <c>messages</c>, <c>ack</c>, <c>thread</c>, <c>watch</c>.</summary>
internal static class HubCommands
{
    public static IEnumerable<Command> Create() => [Send(), Broadcast(), Messages(), Ack(), Thread(), Watch()];

    private static Command Send()
    {
        var from = new Argument<string>("from") { Description = "The sending session." };
        var to = new Argument<string>("to") { Description = "The receiving session." };
        var subject = new Argument<string>("subject") { Description = "The subject." };
        var body = new Argument<string>("body") { Description = "The body." };
        var type = new Option<string?>("--type") { Description = "ping, request (default), response, notification, task_offer, task_accept, sync, handoff." };
        var reply = new Option<long?>("--reply-to") { Description = "The message this answers." };
        var data = new Option<string?>("--data") { Description = "JSON data to attach." };
        var command = new Command("send", "Send a message to a session.") { from, to, subject, body, type, reply, data };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var sent = await services.Get<IMessageHub>().SendAsync(new SendMessage
            {
                From = parse.GetValue(from),
                To = parse.GetValue(to),
                Subject = parse.GetValue(subject),
                Body = parse.GetValue(body),
                Type = parse.GetValue(type),
                ReplyTo = parse.GetValue(reply),
                Data = ParseJson(parse.GetValue(data), "--data"),
            }, cancellationToken);
            Print(json, sent, () => Console.Out.WriteLine($"Sent message {sent.Id} ({sent.Type}) {sent.From} -> {sent.To}."));
        });
        return command;
    }

    private static Command Broadcast()
    {
        var from = new Argument<string>("from") { Description = "The sending session." };
        var subject = new Argument<string>("subject") { Description = "The subject." };
        var body = new Argument<string>("body") { Description = "The body." };
        var type = new Option<string?>("--type") { Description = "broadcast (default), notification, task_offer, sync." };
        var command = new Command("broadcast", "Send a message to every registered session of the namespace but the sender.") { from, subject, body, type, NamespaceOption };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var sent = await services.Get<IMessageHub>().SendAsync(new SendMessage
            {
                From = parse.GetValue(from),
                Subject = parse.GetValue(subject),
                Body = parse.GetValue(body),
                Type = parse.GetValue(type),
                Namespace = parse.GetValue(NamespaceOption),
            }, cancellationToken);
            Print(json, sent, () => Console.Out.WriteLine($"Broadcast message {sent.Id} to {sent.Recipients} sessions in {sent.Namespace}."));
        });
        return command;
    }

    private static Command Messages()
    {
        var id = new Argument<string>("id") { Description = "The session whose inbox to read." };
        var type = new Option<string?>("--type") { Description = "Only this message type." };
        var unread = new Option<bool>("--unread") { Description = "Only messages not acknowledged." };
        var ack = new Option<bool>("--ack") { Description = "Acknowledge what is shown." };
        var command = new Command("messages", "Read a session's inbox.") { id, type, unread, ack };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var agents = services.Get<IMessageHub>();
            var session = parse.GetValue(id)!;
            var inbox = await AllPagesAsync(cursor => agents.InboxAsync(session, new InboxQuery(parse.GetValue(type), parse.GetValue(unread), Cursor: cursor), cancellationToken));
            if (parse.GetValue(ack))
            {
                foreach (var message in inbox.Where(m => m.AckedAt is null))
                {
                    await agents.AcknowledgeAsync(message.Id, session, cancellationToken);
                }
            }

            if (json)
            {
                Output.Json(inbox);
                return;
            }

            if (inbox.Count == 0)
            {
                Console.Out.WriteLine("No messages.");
                return;
            }

            var table = new Table().AddColumns("ID", "TYPE", "FROM", "SUBJECT", "BODY", "SENT", "READ");
            foreach (var m in inbox)
            {
                table.AddRow(m.Id.ToString(CultureInfo.InvariantCulture), m.Type, Markup.Escape(m.From), Markup.Escape(Output.Clip(m.Subject, 30)), Markup.Escape(Output.Clip(m.Body, 40)),
                    Output.Time(m.CreatedAt), m.AckedAt is null ? "[yellow]new[/]" : "[green]yes[/]");
            }

            AnsiConsole.Write(table);
        });
        return command;
    }

    private static Command Ack()
    {
        var message = new Argument<long>("message") { Description = "The message id." };
        var session = new Option<string?>("--session") { Description = "The recipient acknowledging (default: every recipient)." };
        var command = new Command("ack", "Acknowledge a message.") { message, session };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var count = await services.Get<IMessageHub>().AcknowledgeAsync(parse.GetValue(message), parse.GetValue(session), cancellationToken);
            Print(json, new { acknowledged = count }, () => Console.Out.WriteLine($"Acknowledged {count} deliveries."));
        });
        return command;
    }

    private static Command Thread()
    {
        var message = new Argument<long>("message") { Description = "Any message of the thread." };
        var command = new Command("thread", "Show the whole thread of a message.") { message };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var hub = services.Get<IMessageHub>();
            var thread = await AllPagesAsync(cursor => hub.ThreadAsync(parse.GetValue(message), cursor: cursor, cancellationToken: cancellationToken));
            Print(json, thread, () =>
            {
                foreach (var m in thread)
                {
                    Console.Out.WriteLine($"[{m.Id}] {Output.Time(m.CreatedAt)} {m.From} -> {m.To ?? "all"} ({m.Type}) {m.Subject}{(m.Body.Length > 0 ? ": " + m.Body : "")}");
                }
            });
        });
        return command;
    }

    private static Command Watch()
    {
        var id = new Argument<string>("id") { Description = "The session whose inbox to follow." };
        var command = new Command("watch", "Follow a session's inbox live (Ctrl+C stops); over the server's WebSocket with --server.") { id };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var session = parse.GetValue(id)!;
            var server = parse.GetValue(CliOptions.Server) ?? Environment.GetEnvironmentVariable("CONTINUUM_SERVER");
            void Show(HubMessage m)
            {
                if (json)
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(m, Continuum.Json.JsonDefaults.Options));
                }
                else
                {
                    Console.Out.WriteLine($"[{m.Id}] {Output.Time(m.CreatedAt)} {m.From} ({m.Type}) {m.Subject}{(m.Body.Length > 0 ? ": " + m.Body : "")}");
                }
            }

            Console.Error.WriteLine($"Watching the inbox of {session}; Ctrl+C stops.");
            if (!string.IsNullOrWhiteSpace(server))
            {
                // Reconnects and resumes from the last cursor: nothing sent meanwhile is lost.
                await foreach (var item in ContinuumStreamClient.FollowAsync(new Uri(server.EndsWith('/') ? server : server + "/"), [$"inbox:{session}"],
                    onInterrupted: ex => Console.Error.WriteLine($"stream interrupted ({ex.Message}); reconnecting"), cancellationToken: cancellationToken))
                {
                    Show(item.As<HubMessage>());
                }

                return;
            }

            // In-process: poll the store, which is what the stream does between notices.
            var hub = services.Get<IMessageHub>();
            var known = await AllPagesAsync(cursor => hub.InboxAsync(session, new InboxQuery(Limit: 1000, Cursor: cursor), cancellationToken));
            var after = known.Count == 0 ? 0 : known[^1].Position;
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var m in (await hub.InboxAsync(session, new InboxQuery(After: after, Limit: 1000), cancellationToken)).Items)
                {
                    Show(m);
                    after = m.Position;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        });
        return command;
    }
}
