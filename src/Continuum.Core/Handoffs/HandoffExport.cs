using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Continuum.Handoffs;

/// <summary>
/// A project as files, in the session folder layout people keep by hand: <c>SESSION_HANDOFFS/DATE_session_N.md</c>,
/// <c>CURRENT_SESSION.json</c>, <c>UNIFIED_KNOWLEDGE.json</c>, <c>DECISIONS_LOG.json</c>, <c>CODE_REGISTRY.json</c>
/// and <c>INSIGHTS_DB.json</c>.
/// </summary>
public static class HandoffExport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The files, by path relative to the export folder (always '/'-separated), and their text.</summary>
    public static IReadOnlyDictionary<string, string> Files(KnowledgeBase knowledge, IReadOnlyList<Handoff> handoffs)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        ArgumentNullException.ThrowIfNull(handoffs);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var day in handoffs.GroupBy(h => Date(h.EndedAt ?? h.CreatedAt)))
        {
            var n = 0;
            foreach (var handoff in day)
            {
                files[$"SESSION_HANDOFFS/{day.Key}_session_{++n}.md"] = HandoffMarkdown.Render(handoff);
            }
        }

        if (handoffs.Count > 0)
        {
            files["CURRENT_SESSION.json"] = Write(SessionContext(handoffs[^1]));
        }

        files["UNIFIED_KNOWLEDGE.json"] = Write(Knowledge(knowledge));
        files["DECISIONS_LOG.json"] = Write(new JsonArray([.. knowledge.Decisions.Select(Decision)]));
        files["CODE_REGISTRY.json"] = Write(new JsonArray([.. knowledge.Code.Select(c => new JsonObject
        {
            ["path"] = c.Path,
            ["description"] = c.Description,
            ["updated_at"] = Time(c.UpdatedAt),
        })]));
        files["INSIGHTS_DB.json"] = Write(new JsonArray([.. knowledge.Insights.Select(i => new JsonObject
        {
            ["insight"] = i.Text,
            ["kind"] = i.Kind,
            ["first_seen"] = Time(i.FirstSeen),
            ["mentions"] = i.Mentions,
        })]));
        return files;
    }

    /// <summary>A handoff in the session-context layout (<c>primary_goal</c>, <c>decisions_made</c>, …).</summary>
    public static JsonObject SessionContext(Handoff h)
    {
        ArgumentNullException.ThrowIfNull(h);
        var context = new JsonObject
        {
            ["session_id"] = h.SessionId ?? h.Id,
            ["handoff_id"] = h.Id,
            ["project"] = h.Project,
            ["started_at"] = h.StartedAt is { } s ? Time(s) : null,
            ["ended_at"] = Time(h.EndedAt ?? h.CreatedAt),
            ["duration_hours"] = h.StartedAt is { } st && h.EndedAt is { } e ? Math.Round((e - st).TotalHours, 2) : null,
            ["primary_goal"] = h.Goal,
            ["achievements"] = Strings(h.Achievements),
            ["decisions_made"] = new JsonArray([.. h.Decisions.Select(d => new JsonObject { ["decision"] = d.Decision, ["reasoning"] = d.Reasoning, ["impact"] = d.Impact })]),
            ["code_created"] = Strings(h.CodeCreated),
            ["insights_gained"] = Strings(h.Insights),
            ["blockers_encountered"] = new JsonArray([.. h.Blockers.Select(b => new JsonObject { ["blocker"] = b.Blocker, ["solution"] = b.Solution, ["lesson"] = b.Lesson })]),
            ["next_steps"] = new JsonArray([.. h.NextSteps.Select(n => new JsonObject { ["task"] = n.Task, ["priority"] = n.Priority })]),
            ["files_modified"] = Strings(h.FilesModified),
            ["services_deployed"] = Strings(h.Services),
            ["architecture_state"] = Architecture(h.Architecture),
            ["metrics"] = h.Metrics is { } m ? JsonNode.Parse(m.GetRawText()) : null,
            ["handoff_notes"] = h.Notes,
        };
        return context;
    }

    private static JsonObject Knowledge(KnowledgeBase k) => new()
    {
        ["project"] = k.Project,
        ["as_of"] = Time(k.AsOf),
        ["last_updated"] = k.LastUpdated is { } u ? Time(u) : null,
        ["total_sessions"] = k.TotalHandoffs,
        ["total_hours"] = k.TotalHours,
        ["core_decisions"] = new JsonArray([.. k.Decisions.Select(Decision)]),
        ["architecture_state"] = Architecture(k.Architecture),
        ["best_practices"] = Strings(k.Insights.Select(i => i.Text)),
        ["pending_work"] = new JsonArray([.. k.PendingWork.Select(p => new JsonObject
        {
            ["id"] = p.Id,
            ["priority"] = p.Priority,
            ["task"] = p.Task,
            ["status"] = p.Status,
            ["opened_at"] = Time(p.OpenedAt),
            ["closed_at"] = p.ClosedAt is { } c ? Time(c) : null,
        })]),
        ["code_registry"] = new JsonObject([.. k.Code.Select(c => KeyValuePair.Create(c.Path, (JsonNode?)JsonValue.Create(c.Description)))]),
    };

    private static JsonObject Decision(KnowledgeDecision d) => new()
    {
        ["id"] = d.Id,
        ["date"] = Date(d.Date),
        ["decision"] = d.Decision,
        ["reasoning"] = d.Reasoning,
        ["impact"] = d.Impact,
        ["status"] = d.Status,
        ["handoff_id"] = d.HandoffId,
    };

    private static JsonObject Architecture(IReadOnlyDictionary<string, JsonElement> state) =>
        new([.. state.Select(a => KeyValuePair.Create(a.Key, JsonNode.Parse(a.Value.GetRawText())))]);

    private static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]);

    private static string Write(JsonNode node) => node.ToJsonString(Indented) + "\n";

    private static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
