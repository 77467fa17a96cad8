using System.Text.Json;
using Continuum.Errors;

namespace Continuum.Handoffs;

/// <summary>
/// Reads a handoff from JSON in Continuum's camelCase layout or the seed's layout as it is
/// (<c>primary_goal</c>, <c>decisions_made</c>, <c>insights_gained</c>, <c>blockers_encountered</c>,
/// <c>handoff_notes</c>, …). List items may be plain strings or objects.
/// </summary>
public static class HandoffJson
{
    /// <summary>Parses a handoff; <paramref name="project"/> overrides the document's own project when given.</summary>
    public static Handoff Parse(JsonElement json, string? project = null)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException("body", "must be a JSON object describing the handoff.");
        }

        return new Handoff
        {
            Project = project ?? Text(json, "project") ?? "",
            SessionId = Text(json, "sessionId", "session_id"),
            Author = Text(json, "author", "agent", "agentName"),
            Goal = Text(json, "goal", "primaryGoal", "primary_goal"),
            Achievements = Strings(json, "achievements"),
            Decisions = Items(json, e => e.ValueKind == JsonValueKind.String
                ? new HandoffDecision(e.GetString()!)
                : new HandoffDecision(Text(e, "decision") ?? "", Text(e, "reasoning", "reason"), Text(e, "impact")), "decisions", "decisionsMade", "decisions_made"),
            CodeCreated = Items(json, e => e.ValueKind == JsonValueKind.String
                ? e.GetString()!
                : $"{Text(e, "path", "file")} - {Text(e, "description", "what")}", "codeCreated", "code_created", "code"),
            FilesModified = Strings(json, "filesModified", "files_modified", "files"),
            Insights = Strings(json, "insights", "insightsGained", "insights_gained"),
            Blockers = Items(json, e => e.ValueKind == JsonValueKind.String
                ? new HandoffBlocker(e.GetString()!)
                : new HandoffBlocker(Text(e, "blocker") ?? "", Text(e, "solution"), Text(e, "lesson")), "blockers", "blockersEncountered", "blockers_encountered"),
            NextSteps = Items(json, e => e.ValueKind == JsonValueKind.String
                ? new NextStep(e.GetString()!)
                : new NextStep(Text(e, "task", "step") ?? "", Text(e, "priority") ?? "medium"), "nextSteps", "next_steps"),
            Services = Strings(json, "services", "servicesDeployed", "services_deployed"),
            Architecture = Object(json, "architecture", "architectureState", "architecture_state"),
            Metrics = Find(json, "metrics") is { ValueKind: JsonValueKind.Object } m ? m.Clone() : null,
            Notes = Text(json, "notes", "handoffNotes", "handoff_notes"),
            StartedAt = Time(json, "startedAt", "started_at"),
            EndedAt = Time(json, "endedAt", "ended_at"),
        };
    }

    private static JsonElement? Find(JsonElement json, params string[] names)
    {
        foreach (var name in names)
        {
            if (json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                return value;
            }
        }

        return null;
    }

    private static string? Text(JsonElement json, params string[] names) => Find(json, names) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { } other => other.GetRawText(),
        null => null,
    };

    private static DateTimeOffset? Time(JsonElement json, params string[] names)
    {
        if (Text(json, names) is not { } text)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUniversalTime()
            : throw new ValidationException(names[0], $"'{text}' is not a date and time (ISO 8601).");
    }

    private static List<string> Strings(JsonElement json, params string[] names) =>
        Items(json, e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText(), names);

    private static List<T> Items<T>(JsonElement json, Func<JsonElement, T> read, params string[] names)
    {
        if (Find(json, names) is not { } value)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new ValidationException(names[0], "must be a list.");
        }

        return [.. value.EnumerateArray().Where(e => e.ValueKind != JsonValueKind.Null).Select(read)];
    }

    private static Dictionary<string, JsonElement> Object(JsonElement json, params string[] names)
    {
        if (Find(json, names) is not { } value)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException(names[0], "must be an object of component name to state.");
        }

        return value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }
}
