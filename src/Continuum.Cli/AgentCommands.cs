using System.CommandLine;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Continuum.Agents;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary>
/// The multi-agent commands: <c>register</c>, <c>list</c>, <c>ping</c>, <c>status</c>, <c>send</c>, <c>broadcast</c>,
/// <c>messages</c>, <c>ack</c>, <c>thread</c>, <c>watch</c>, <c>memory-set</c>, <c>memory-get</c>, <c>memory-search</c>,
/// <c>memory-delete</c>, with the arguments people know from the session registry scripts.
/// </summary>
internal static class AgentCommands
{
    private static readonly Option<string?> NamespaceOption = new("--namespace", "-n") { Description = "The namespace (project or team); default 'default'." };

    public static IEnumerable<Command> Create() =>
    [
        Register(), List(), Ping(), Status(), Send(), Broadcast(), Messages(), Ack(), Thread(), Watch(),
        MemorySet(), MemoryGet(), MemorySearch(), MemoryDelete(),
    ];

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
            var agent = await services.Get<IAgentService>().RegisterAsync(parse.GetValue(id)!, new AgentRegistration
            {
                AgentName = parse.GetValue(name),
                AgentType = parse.GetValue(type),
                HumanUser = parse.GetValue(user),
                Capabilities = Split(parse.GetValue(capabilities)),
                Namespace = parse.GetValue(NamespaceOption),
            }, cancellationToken);
            Print(json, agent, () => AnsiConsole.MarkupLine($"Registered [bold]{Markup.Escape(agent.SessionId)}[/] as {Markup.Escape(agent.AgentName)} ({Markup.Escape(agent.AgentType)}) in {Markup.Escape(agent.Namespace)}."));
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
            var agents = services.Get<IAgentService>();
            var list = await agents.ListAgentsAsync(new AgentQuery(parse.GetValue(status), parse.GetValue(capability), parse.GetValue(all), parse.GetValue(NamespaceOption)), cancellationToken);
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
            var agent = await services.Get<IAgentService>().PingAsync(parse.GetValue(id)!, cancellationToken);
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
            var agent = await services.Get<IAgentService>().SetStatusAsync(parse.GetValue(id)!, parse.GetValue(status)!, parse.GetValue(task), cancellationToken);
            Print(json, agent, () => AnsiConsole.MarkupLine($"{Markup.Escape(agent.SessionId)} is [{Colour(agent.Status)}]{agent.Status}[/]{(agent.CurrentTask is { } t ? ": " + Markup.Escape(t) : "")}."));
        });
        return command;
    }

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
            var sent = await services.Get<IAgentService>().SendAsync(new SendMessage
            {
                From = parse.GetValue(from),
                To = parse.GetValue(to),
                Subject = parse.GetValue(subject),
                Body = parse.GetValue(body),
                Type = parse.GetValue(type),
                ReplyTo = parse.GetValue(reply),
                Data = Json(parse.GetValue(data), "--data"),
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
            var sent = await services.Get<IAgentService>().SendAsync(new SendMessage
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
            var agents = services.Get<IAgentService>();
            var session = parse.GetValue(id)!;
            var inbox = await agents.InboxAsync(session, parse.GetValue(type), parse.GetValue(unread), cancellationToken: cancellationToken);
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
            var count = await services.Get<IAgentService>().AcknowledgeAsync(parse.GetValue(message), parse.GetValue(session), cancellationToken);
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
            var thread = await services.Get<IAgentService>().ThreadAsync(parse.GetValue(message), cancellationToken);
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
                    Console.Out.WriteLine(JsonSerializer.Serialize(m, Model.JsonDefaults.Options));
                }
                else
                {
                    Console.Out.WriteLine($"[{m.Id}] {Output.Time(m.CreatedAt)} {m.From} ({m.Type}) {m.Subject}{(m.Body.Length > 0 ? ": " + m.Body : "")}");
                }
            }

            Console.Error.WriteLine($"Watching the inbox of {session}; Ctrl+C stops.");
            if (!string.IsNullOrWhiteSpace(server))
            {
                await WatchSocketAsync(new Uri(server.EndsWith('/') ? server : server + "/"), session, Show, cancellationToken);
                return;
            }

            // In-process: poll the store, which is what the stream does between notices.
            var agents = services.Get<IAgentService>();
            var known = await agents.InboxAsync(session, limit: 1000, cancellationToken: cancellationToken);
            var after = known.Count == 0 ? 0 : known[^1].Position;
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var m in await agents.InboxAsync(session, after: after, limit: 1000, cancellationToken: cancellationToken))
                {
                    Show(m);
                    after = m.Position;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        });
        return command;
    }

    private static Command MemorySet()
    {
        var session = new Argument<string>("session") { Description = "The writing session." };
        var key = new Argument<string>("key") { Description = "The key." };
        var value = new Argument<string>("value") { Description = "The value: JSON, or plain text." };
        var type = new Option<string?>("--type") { Description = "state, fact, decision, task, context, note (default), config." };
        var tags = new Option<string?>("--tags") { Description = "Comma-separated tags." };
        var ttl = new Option<long?>("--ttl") { Description = "Seconds until it expires." };
        var expect = new Option<long?>("--expect-version") { Description = "Write only if the current version is this (0: only if absent)." };
        var command = new Command("memory-set", "Write a shared-memory entry (a new version).") { session, key, value, type, tags, ttl, expect, NamespaceOption };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var entry = await services.Get<IAgentService>().SetSharedAsync(parse.GetValue(NamespaceOption) ?? AgentService.DefaultNamespace, parse.GetValue(key)!, new SharedWrite
            {
                SessionId = parse.GetValue(session),
                Value = ValueOf(parse.GetValue(value)!),
                Type = parse.GetValue(type),
                Tags = Split(parse.GetValue(tags)),
                TtlSeconds = parse.GetValue(ttl),
                ExpectedVersion = parse.GetValue(expect),
            }, cancellationToken);
            Print(json, entry, () => Console.Out.WriteLine($"Stored {entry.Namespace}/{entry.Key} version {entry.Version}."));
        });
        return command;
    }

    private static Command MemoryGet()
    {
        var key = new Argument<string>("key") { Description = "The key." };
        var all = new Option<bool>("--all") { Description = "Every version." };
        var command = new Command("memory-get", "Read a shared-memory entry.") { key, all, NamespaceOption };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var agents = services.Get<IAgentService>();
            var ns = parse.GetValue(NamespaceOption) ?? AgentService.DefaultNamespace;
            IReadOnlyList<SharedEntry> entries = parse.GetValue(all)
                ? await agents.GetSharedVersionsAsync(ns, parse.GetValue(key)!, cancellationToken)
                : [await agents.GetSharedAsync(ns, parse.GetValue(key)!, cancellationToken)];
            if (json)
            {
                Output.Json<object>(parse.GetValue(all) ? entries : entries[0]);
                return;
            }

            if (!parse.GetValue(all))
            {
                Console.Out.WriteLine($"Value: {Show(entries[0])}");
                return;
            }

            Entries(entries, versions: true);
        });
        return command;
    }

    private static Command MemorySearch()
    {
        var pattern = new Option<string?>("--pattern") { Description = "A glob over keys (task_*)." };
        var tags = new Option<string?>("--tags") { Description = "Comma-separated tags; entries must have all of them." };
        var session = new Option<string?>("--session") { Description = "Only entries written by this session." };
        var command = new Command("memory-search", "Find shared-memory entries.") { pattern, tags, session, NamespaceOption };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var entries = await services.Get<IAgentService>().SearchSharedAsync(parse.GetValue(NamespaceOption) ?? AgentService.DefaultNamespace,
                parse.GetValue(pattern), Split(parse.GetValue(tags)), parse.GetValue(session), cancellationToken: cancellationToken);
            if (json)
            {
                Output.Json(entries);
                return;
            }

            Entries(entries, versions: false);
        });
        return command;
    }

    private static Command MemoryDelete()
    {
        var key = new Argument<string>("key") { Description = "The key." };
        var session = new Option<string?>("--session") { Description = "The deleting session." };
        var command = new Command("memory-delete", "Delete a shared-memory entry.") { key, session, NamespaceOption };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var deleted = await services.Get<IAgentService>().DeleteSharedAsync(parse.GetValue(NamespaceOption) ?? AgentService.DefaultNamespace, parse.GetValue(key)!, parse.GetValue(session), cancellationToken);
            if (!deleted)
            {
                throw new Errors.NotFoundException("shared entry", parse.GetValue(key)!);
            }

            Print(json, new { deleted }, () => Console.Out.WriteLine("Deleted."));
        });
        return command;
    }

    private static async Task WatchSocketAsync(Uri server, string session, Action<HubMessage> show, CancellationToken cancellationToken)
    {
        long? cursor = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var socket = new ClientWebSocket();
                var uri = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = server.AbsolutePath.TrimEnd('/') + "/api/stream" }.Uri;
                await socket.ConnectAsync(uri, cancellationToken);
                var topic = $"inbox:{session}";
                var subscribe = JsonSerializer.Serialize(new { op = "subscribe", topics = new[] { topic }, cursors = cursor is { } c ? new Dictionary<string, long> { [topic] = c } : null });
                await socket.SendAsync(Encoding.UTF8.GetBytes(subscribe), WebSocketMessageType.Text, true, cancellationToken);
                var buffer = new byte[256 * 1024];
                while (!cancellationToken.IsCancellationRequested)
                {
                    using var frame = new MemoryStream();
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer, cancellationToken);
                        if (result.MessageType == WebSocketMessageType.Close)
                        {
                            throw new WebSocketException("The server closed the stream.");
                        }

                        frame.Write(buffer, 0, result.Count);
                    }
                    while (!result.EndOfMessage);

                    using var item = JsonDocument.Parse(frame.ToArray());
                    if (item.RootElement.GetProperty("type").GetString() == "message")
                    {
                        cursor = item.RootElement.GetProperty("cursor").GetInt64();
                        show(item.RootElement.GetProperty("data").Deserialize<HubMessage>(Model.JsonDefaults.Options)!);
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                // Reconnect and resume from the last cursor: nothing sent meanwhile is lost.
                Console.Error.WriteLine($"stream interrupted ({ex.Message}); reconnecting");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    private static void Entries(IReadOnlyList<SharedEntry> entries, bool versions)
    {
        var table = new Table().AddColumns("KEY", "VERSION", "TYPE", "VALUE", "TAGS", "BY", "WRITTEN", "EXPIRES");
        foreach (var e in entries)
        {
            table.AddRow(Markup.Escape(e.Key), e.Version.ToString(CultureInfo.InvariantCulture), e.Type, Markup.Escape(Output.Clip(e.Deleted ? "(deleted)" : Show(e), 40)),
                Markup.Escape(string.Join(",", e.Tags)), Markup.Escape(e.Author), Output.Time(e.CreatedAt), e.ExpiresAt is { } x ? Output.Time(x) : "-");
        }

        AnsiConsole.Write(table);
        if (!versions)
        {
            Console.Out.WriteLine($"{entries.Count} entries.");
        }
    }

    private static string Show(SharedEntry e) => e.Value is { ValueKind: JsonValueKind.String } s ? s.GetString()! : e.Value?.GetRawText() ?? "";

    private static JsonElement ValueOf(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }

    private static JsonElement? Json(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"{option} is not valid JSON: {ex.Message}");
        }
    }

    private static string[] Split(string? list) => list is null ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Colour(string status) => status switch
    {
        AgentStatus.Active => "green",
        AgentStatus.Working => "blue",
        AgentStatus.Idle => "grey",
        AgentStatus.Blocked => "red",
        _ => "dim",
    };

    private static void Print<T>(bool json, T value, Action human)
    {
        if (json)
        {
            Output.Json(value);
        }
        else
        {
            human();
        }
    }
}
