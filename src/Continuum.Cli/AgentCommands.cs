using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Continuum.Agents;
using Continuum.Storage;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary>What the agent commands share: the namespace option, argument parsing, paging through a listing, and output.</summary>
internal static class AgentCommands
{
    public static readonly Option<string?> NamespaceOption = new("--namespace", "-n") { Description = "The namespace (project or team); default 'default'." };

    /// <summary>The registry's, the hub's and shared memory's commands, with the arguments people know from the session registry scripts.</summary>
    public static IEnumerable<Command> Create() =>
        [.. RegistryCommands.Create(), .. HubCommands.Create(), .. SharedMemoryCommands.Create()];

    /// <summary>Every item of a paged listing, following <c>next</c> to the last page.</summary>
    public static async Task<List<T>> AllPagesAsync<T>(Func<string?, Task<Page<T>>> page)
    {
        var items = new List<T>();
        string? cursor = null;
        do
        {
            var next = await page(cursor).ConfigureAwait(false);
            items.AddRange(next.Items);
            cursor = next.Next;
        }
        while (cursor is not null);
        return items;
    }

    public static void Entries(IReadOnlyList<SharedEntry> entries, bool versions)
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

    public static string Show(SharedEntry e) => e.Value is { ValueKind: JsonValueKind.String } s ? s.GetString()! : e.Value?.GetRawText() ?? "";

    public static JsonElement ValueOf(string text)
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

    public static JsonElement? ParseJson(string? text, string option)
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

    public static string[] Split(string? list) => list is null ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string Colour(string status) => status switch
    {
        AgentStatus.Active => "green",
        AgentStatus.Working => "blue",
        AgentStatus.Idle => "grey",
        AgentStatus.Blocked => "red",
        _ => "dim",
    };

    public static void Print<T>(bool json, T value, Action human)
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
