using System.CommandLine;
using Continuum.Errors;
using Continuum.Users;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary><c>continuum users resolve|show|link-code|link|unlink|merge|forget</c>.</summary>
internal static class UsersCommand
{
    private static readonly Argument<string> Interface = new("interface") { Description = "The interface, e.g. telegram." };
    private static readonly Argument<string> ExternalId = new("external-id") { Description = "The interface's own user id." };
    private static readonly Argument<string> UserId = new("user") { Description = "A canonical user id." };

    public static Command Create() => new("users", "Canonical users and their identities across interfaces.")
    {
        Resolve(), Show(), LinkCode(), Link(), Unlink(), Merge(), LifecycleCommands.Forget(UserId),
    };

    private static Command Resolve()
    {
        var name = new Option<string?>("--name") { Description = "A display name for a new user." };
        var command = new Command("resolve", "The user an identity resolves to (created on first sight).") { Interface, ExternalId, name };
        command.Run(async (parse, services, json, cancellationToken) => Print(await services.Identities.ResolveAsync(new IdentityRef
        {
            Interface = parse.GetValue(Interface),
            ExternalUserId = parse.GetValue(ExternalId),
            DisplayName = parse.GetValue(name),
        }, cancellationToken), json));
        return command;
    }

    private static Command Show()
    {
        var command = new Command("show", "A user and their identities.") { UserId };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var id = parse.GetValue(UserId)!;
            Print(await services.Identities.GetUserAsync(id, cancellationToken) ?? throw new NotFoundException("User", id), json);
        });
        return command;
    }

    private static Command LinkCode()
    {
        var command = new Command("link-code", "Issue a one-time code to link another interface to this user.") { UserId };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var code = await services.Identities.CreateLinkCodeAsync(parse.GetValue(UserId)!, cancellationToken);
            if (json)
            {
                Output.Json(code);
                return;
            }

            AnsiConsole.MarkupLine($"Link code [bold]{Markup.Escape(code.Code)}[/] for {Markup.Escape(code.UserId)}, valid until {Output.Time(code.ExpiresAt)}.");
            AnsiConsole.MarkupLine("Redeem it on the other interface: [grey]continuum users link CODE INTERFACE EXTERNAL_ID[/]");
        });
        return command;
    }

    private static Command Link()
    {
        var code = new Argument<string>("code") { Description = "The code issued on the other interface." };
        var command = new Command("link", "Redeem a link code: this identity now resolves to the code's user.") { code, Interface, ExternalId };
        command.Run(async (parse, services, json, cancellationToken) => Print(await services.Identities.LinkAsync(new LinkRequest
        {
            Code = parse.GetValue(code),
            Identity = new IdentityRef { Interface = parse.GetValue(Interface), ExternalUserId = parse.GetValue(ExternalId) },
        }, cancellationToken), json));
        return command;
    }

    private static Command Unlink()
    {
        var command = new Command("unlink", "Remove an identity from its user.") { Interface, ExternalId };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var iface = parse.GetValue(Interface)!;
            var external = parse.GetValue(ExternalId)!;
            if (!await services.Identities.UnlinkAsync(iface, external, cancellationToken))
            {
                throw new NotFoundException("Identity", $"{iface}:{external}");
            }

            if (json)
            {
                Output.Json(new { unlinked = true, @interface = iface, externalUserId = external });
            }
            else
            {
                AnsiConsole.MarkupLine($"Unlinked {Markup.Escape(iface)}:{Markup.Escape(external)}.");
            }
        });
        return command;
    }

    private static Command Merge()
    {
        var merged = new Argument<string>("merged") { Description = "The user merged into the survivor." };
        var command = new Command("merge", "Merge a user into another: sessions and identities move to the survivor.") { UserId, merged };
        command.Run(async (parse, services, json, cancellationToken) =>
            Print(await services.Identities.MergeAsync(parse.GetValue(UserId)!, parse.GetValue(merged)!, cancellationToken), json));
        return command;
    }

    private static void Print(User user, bool json)
    {
        if (json)
        {
            Output.Json(user);
        }
        else
        {
            Output.User(user);
        }
    }
}
