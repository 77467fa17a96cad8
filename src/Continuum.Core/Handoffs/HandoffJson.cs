using System.Text;
using System.Text.Json;
using Continuum.Errors;
using Continuum.Json;
using Continuum.Validation;

namespace Continuum.Handoffs;

/// <summary>
/// Reads a handoff from JSON in Continuum's camelCase layout or the seed's layout as it is
/// (<c>primary_goal</c>, <c>decisions_made</c>, <c>insights_gained</c>, <c>blockers_encountered</c>,
/// <c>handoff_notes</c>, …). List items may be plain strings or objects; anything else is a 400 naming the item,
/// and every text, list and JSON value is held to its limit in <see cref="InputLimits"/> (a 413 when over).
/// </summary>
public static class HandoffJson
{
    /// <summary>
    /// Parses a handoff; <paramref name="project"/> overrides the document's own project when given and
    /// <paramref name="limits"/> (the defaults when null) bound each field.
    /// </summary>
    public static Handoff Parse(JsonElement json, string? project = null, InputLimits? limits = null)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException("body", "must be a JSON object describing the handoff.");
        }

        JsonValueCheck.Validate(json, "body");
        var handoff = Read(json, project);
        Check(handoff, limits ?? new InputLimits());
        return handoff;
    }

    /// <summary>
    /// Holds <paramref name="handoff"/> to <paramref name="limits"/>: each text (goal, notes, every list item's
    /// text) to <see cref="InputLimits.MaxHandoffTextBytes"/>, each list to <see cref="InputLimits.MaxHandoffListItems"/>,
    /// the architecture and metrics to <see cref="InputLimits.MaxMetadataBytes"/> each.
    /// </summary>
    public static void Check(Handoff handoff, InputLimits limits)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        ArgumentNullException.ThrowIfNull(limits);
        Text(handoff.Project, "project", limits);
        Text(handoff.SessionId, "sessionId", limits);
        Text(handoff.Author, "author", limits);
        Text(handoff.Goal, "goal", limits);
        Text(handoff.Notes, "notes", limits);
        List(handoff.Achievements, "achievements", limits, a => [a]);
        List(handoff.Decisions, "decisions", limits, d => [d.Decision, d.Reasoning, d.Impact]);
        List(handoff.CodeCreated, "codeCreated", limits, c => [c]);
        List(handoff.FilesModified, "filesModified", limits, f => [f]);
        List(handoff.Insights, "insights", limits, i => [i]);
        List(handoff.Blockers, "blockers", limits, b => [b.Blocker, b.Solution, b.Lesson]);
        List(handoff.NextSteps, "nextSteps", limits, n => [n.Task, n.Priority]);
        List(handoff.Services, "services", limits, s => [s]);
        if (handoff.Architecture.Count > limits.MaxHandoffListItems)
        {
            throw new ValidationException("architecture", $"must have at most {limits.MaxHandoffListItems} components (Continuum:Limits:MaxHandoffListItems).");
        }

        var architecture = handoff.Architecture.Sum(a => Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value.GetRawText()));
        if (architecture > limits.MaxMetadataBytes)
        {
            throw new PayloadTooLargeException("architecture", architecture, limits.MaxMetadataBytes);
        }

        if (handoff.Metrics is { } metrics)
        {
            Validation.InputValidator.JsonValue(metrics, limits.MaxMetadataBytes, "metrics");
        }
    }

    private static void Text(string? value, string field, InputLimits limits)
    {
        if (value is null)
        {
            return;
        }

        if (JsonValueCheck.TextProblem(value) is { } problem)
        {
            throw new ValidationException(field, problem);
        }

        if (value.Length * 3 > limits.MaxHandoffTextBytes && Encoding.UTF8.GetByteCount(value) is var bytes && bytes > limits.MaxHandoffTextBytes)
        {
            throw new PayloadTooLargeException(field, bytes, limits.MaxHandoffTextBytes);
        }
    }

    private static void List<T>(IReadOnlyList<T> items, string field, InputLimits limits, Func<T, string?[]> texts)
    {
        if (items.Count > limits.MaxHandoffListItems)
        {
            throw new ValidationException(field, $"must have at most {limits.MaxHandoffListItems} items (Continuum:Limits:MaxHandoffListItems).");
        }

        for (var i = 0; i < items.Count; i++)
        {
            foreach (var text in texts(items[i]))
            {
                Text(text, $"{field}[{i}]", limits);
            }
        }
    }

    private static Handoff Read(JsonElement json, string? project) =>
        new()
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

        var items = new List<T>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind is not (JsonValueKind.Null or JsonValueKind.String or JsonValueKind.Object))
            {
                throw new ValidationException($"{names[0]}[{index}]", "must be a string or an object.");
            }

            if (item.ValueKind != JsonValueKind.Null)
            {
                items.Add(read(item));
            }

            index++;
        }

        return items;
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
