using System.CommandLine;
using Continuum.Errors;
using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Users;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary><c>continuum sessions list|show|events|open|append|continue</c>.</summary>
internal static class SessionsCommand
{
    public static Command Create() => new("sessions", "Sessions and their events.")
    {
        List(), Show(), Events(), Open(), Append(), Continue(),
    };

    private static Command List()
    {
        var user = new Option<string?>("--user") { Description = "Only this user's sessions." };
        var iface = new Option<string?>("--interface") { Description = "Only sessions on this interface." };
        var status = new Option<string?>("--status") { Description = "active, inactive, expired or closed." };
        var limit = new Option<int?>("--limit") { Description = "Page size (default 50)." };
        var cursor = new Option<string?>("--cursor") { Description = "The cursor printed under the previous page." };
        var command = new Command("list", "List sessions, newest first.") { user, iface, status, limit, cursor };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var page = await services.Sessions.ListAsync(new SessionQuery
            {
                UserId = parse.GetValue(user),
                Interface = parse.GetValue(iface),
                Status = parse.GetValue(status),
                Limit = parse.GetValue(limit),
                Cursor = parse.GetValue(cursor),
            }, cancellationToken);
            if (json)
            {
                Output.Json(new { sessions = page.Items, next = page.Next });
            }
            else
            {
                Output.Sessions(page.Items, page.Next);
            }
        });
        return command;
    }

    private static readonly Argument<string> SessionId = new("session") { Description = "The session id." };

    private static Command Show()
    {
        var command = new Command("show", "Show a session.") { SessionId };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var id = parse.GetValue(SessionId)!;
            var session = await services.Sessions.GetAsync(id, cancellationToken) ?? throw new NotFoundException("Session", id);
            if (json)
            {
                Output.Json(session);
            }
            else
            {
                Output.Session(session);
            }
        });
        return command;
    }

    private static Command Events()
    {
        var after = new Option<long?>("--after") { Description = "Only events after this seq." };
        var limit = new Option<int?>("--limit") { Description = "At most this many (default 100)." };
        var command = new Command("events", "A session's events in order.") { SessionId, after, limit };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var page = await services.Sessions.ListEventsAsync(parse.GetValue(SessionId)!, parse.GetValue(after), parse.GetValue(limit), cancellationToken);
            if (json)
            {
                Output.Json(new { events = page.Items, next = page.Next });
            }
            else
            {
                Output.Events(page.Items, page.Next);
            }
        });
        return command;
    }

    private static Command Open()
    {
        var user = new Option<string?>("--user") { Description = "A canonical user id." };
        var identity = new Option<string?>("--identity") { Description = "An external identity as INTERFACE:EXTERNAL_ID (created on first sight)." };
        var iface = new Option<string>("--interface") { Description = "The interface the session is on.", DefaultValueFactory = _ => "cli" };
        var title = new Option<string?>("--title") { Description = "A title for a new session." };
        var isNew = new Option<bool>("--new") { Description = "Always create a new session instead of resuming." };
        var command = new Command("open", "Resume the user's active session or create one.") { user, identity, iface, title, isNew };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var result = await services.Sessions.OpenAsync(new OpenSessionRequest
            {
                UserId = parse.GetValue(user),
                Identity = ParseIdentity(parse.GetValue(identity)),
                Interface = parse.GetValue(iface),
                InterfaceId = Environment.MachineName,
                Title = parse.GetValue(title),
                Mode = parse.GetValue(isNew) ? "new" : "resume",
            }, cancellationToken);
            if (json)
            {
                Output.Json(result.Session);
                return;
            }

            AnsiConsole.MarkupLine(result.Created ? "[green]created[/]" : "[green]resumed[/]");
            Output.Session(result.Session);
        });
        return command;
    }

    private static Command Append()
    {
        var content = new Argument<string>("content") { Description = "The message text." };
        var role = new Option<string>("--role") { Description = "user, assistant, system or tool.", DefaultValueFactory = _ => "user" };
        var type = new Option<string?>("--type") { Description = "message (default), tool_call, tool_result, error or state." };
        var key = new Option<string?>("--idempotency-key") { Description = "Makes a retry return the original event." };
        var command = new Command("append", "Append an event to a session.") { SessionId, content, role, type, key };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var result = await services.Sessions.AppendAsync(parse.GetValue(SessionId)!, new NewEvent
            {
                Content = parse.GetValue(content),
                Role = parse.GetValue(role),
                Type = parse.GetValue(type),
                IdempotencyKey = parse.GetValue(key),
            }, cancellationToken);
            if (json)
            {
                Output.Json(result.Event);
            }
            else
            {
                Output.Events([result.Event], null);
            }
        });
        return command;
    }

    private static Command Continue()
    {
        var iface = new Option<string>("--interface") { Description = "The interface to continue on.", DefaultValueFactory = _ => "cli" };
        var command = new Command("continue", "Continue a session on another interface, carrying its context.") { SessionId, iface };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var session = await services.Sessions.ContinueAsync(parse.GetValue(SessionId)!, new ContinueRequest
            {
                Interface = parse.GetValue(iface),
                InterfaceId = Environment.MachineName,
            }, cancellationToken);
            if (json)
            {
                Output.Json(session);
            }
            else
            {
                Output.Session(session);
            }
        });
        return command;
    }

    internal static IdentityRef? ParseIdentity(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == value.Length - 1)
        {
            throw new CliUsageException($"--identity '{value}' must be INTERFACE:EXTERNAL_ID, e.g. telegram:12345.");
        }

        return new IdentityRef { Interface = value[..colon], ExternalUserId = value[(colon + 1)..] };
    }
}
