using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Continuum.Json;
using Continuum.Sessions;
using Continuum.Users;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary>Prints results as tables for people or as JSON for scripts.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions Indented = new(JsonDefaults.Options) { WriteIndented = true };

    /// <summary>
    /// True when output may carry ANSI escapes (colour, bold): stdout is a terminal and <c>NO_COLOR</c> is not set
    /// (any non-empty value turns colour off, as no-color.org says).
    /// </summary>
    public static bool Styled => !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>
    /// Every command writes through <see cref="AnsiConsole"/>; before any of them runs, it is set to a console that
    /// emits no escape sequence when stdout is redirected (a pipe, a file) or <c>NO_COLOR</c> is set.
    /// </summary>
    [ModuleInitializer]
    internal static void UsePlainOutputUnlessStyled()
    {
        if (!Styled)
        {
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(Console.Out),
            });
        }
    }

    public static void Json<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Indented));

    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Clip(string? text, int length)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= length ? oneLine : string.Concat(oneLine.AsSpan(0, length - 1), "…");
    }

    /// <summary>The line under a page that has a next one: the cursor to pass.</summary>
    public static void More(string? next)
    {
        if (next is not null)
        {
            AnsiConsole.MarkupLine($"[grey]more: --cursor {Markup.Escape(next)}[/]");
        }
    }

    /// <summary>A page of sessions as a table, with the cursor of the next page.</summary>
    public static void Sessions(IReadOnlyList<Session> sessions, string? next)
    {
        var table = new Table().AddColumns("id", "user", "interface", "status", "title", "messages", "last active");
        foreach (var s in sessions)
        {
            table.AddRow(
                Markup.Escape(s.Id),
                Markup.Escape(s.UserId ?? "(anonymous)"),
                Markup.Escape(s.Interface),
                StatusMarkup(s.Status),
                Markup.Escape(Clip(s.Title, 30)),
                s.Counters.Messages.ToString(CultureInfo.InvariantCulture),
                Time(s.LastActiveAt));
        }

        AnsiConsole.Write(table);
        if (next is not null)
        {
            AnsiConsole.MarkupLine($"[grey]more: --cursor {Markup.Escape(next)}[/]");
        }
    }

    public static void Session(Session s)
    {
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string name, string? value) => grid.AddRow($"[bold]{name}[/]", Markup.Escape(value ?? ""));
        Row("id", s.Id);
        Row("user", s.UserId ?? "(anonymous)");
        Row("agent", s.AgentId);
        Row("interface", s.InterfaceId is null ? s.Interface : $"{s.Interface} ({s.InterfaceId})");
        grid.AddRow("[bold]status[/]", StatusMarkup(s.Status));
        Row("title", s.Title);
        Row("parent", s.ParentId);
        Row("created", Time(s.CreatedAt));
        Row("last active", Time(s.LastActiveAt));
        Row("expires", Time(s.ExpiresAt));
        Row("token limit", s.TokenLimit.ToString(CultureInfo.InvariantCulture));
        var c = s.Counters;
        Row("counters", string.Create(CultureInfo.InvariantCulture, $"{c.Messages} messages, {c.InputTokens} input / {c.OutputTokens} output tokens, {c.ToolCalls} tool calls, {c.Errors} errors"));
        Row("state", s.State.GetRawText());
        Row("preferences", s.Preferences.GetRawText());
        if (s.CarriedOver is { } carried)
        {
            Row("continued from", $"{carried.FromInterface} ({carried.FromSessionId}), {carried.LastMessages.Count} messages carried");
        }

        AnsiConsole.Write(grid);
    }

    public static void Events(IReadOnlyList<SessionEvent> events, string? next)
    {
        var table = new Table().AddColumns("seq", "time", "interface", "role", "type", "content").Expand();
        foreach (var e in events)
        {
            table.AddRow(
                e.Seq.ToString(CultureInfo.InvariantCulture),
                Time(e.CreatedAt),
                Markup.Escape(e.Interface),
                Markup.Escape(e.Role),
                Markup.Escape(e.Type),
                Markup.Escape(Clip(e.Content, 200)));
        }

        AnsiConsole.Write(table);
        if (next is not null)
        {
            AnsiConsole.MarkupLine($"[grey]more: --after {Markup.Escape(next)}[/]");
        }
    }

    public static void User(User user)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(user.Id)}[/] {Markup.Escape(user.DisplayName ?? "")} [grey](since {Time(user.CreatedAt)})[/]");
        var table = new Table().AddColumns("interface", "external user id", "name", "linked");
        foreach (var i in user.Identities)
        {
            table.AddRow(Markup.Escape(i.Interface), Markup.Escape(i.ExternalUserId), Markup.Escape(i.DisplayName ?? ""), Time(i.CreatedAt));
        }

        AnsiConsole.Write(table);
    }

    private static string StatusMarkup(string status) => status switch
    {
        SessionStatus.Active => "[green]active[/]",
        SessionStatus.Inactive => "[yellow]inactive[/]",
        SessionStatus.Expired => "[grey]expired[/]",
        SessionStatus.Closed => "[blue]closed[/]",
        _ => Markup.Escape(status),
    };
}
