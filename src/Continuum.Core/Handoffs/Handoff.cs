using System.Text.Json;

namespace Continuum.Handoffs;

/// <summary>What a working session leaves for the next one: the seed's session context, served by Continuum.</summary>
public sealed record Handoff
{
    /// <summary>The handoff id (<c>hof_…</c>).</summary>
    public string Id { get; init; } = "";

    /// <summary>The project (namespace) it belongs to.</summary>
    public string Project { get; init; } = "";

    /// <summary>The Continuum session that handed off, if any.</summary>
    public string? SessionId { get; init; }

    /// <summary>Who handed off (an agent or a person).</summary>
    public string? Author { get; init; }

    /// <summary>The session's primary goal.</summary>
    public string? Goal { get; init; }

    /// <summary>What was achieved.</summary>
    public IReadOnlyList<string> Achievements { get; init; } = [];

    /// <summary>Decisions with their reasons and impact.</summary>
    public IReadOnlyList<HandoffDecision> Decisions { get; init; } = [];

    /// <summary>Code created, as <c>path - what it is</c>.</summary>
    public IReadOnlyList<string> CodeCreated { get; init; } = [];

    /// <summary>Files touched.</summary>
    public IReadOnlyList<string> FilesModified { get; init; } = [];

    /// <summary>What was learned.</summary>
    public IReadOnlyList<string> Insights { get; init; } = [];

    /// <summary>Blockers met, with their solution and lesson.</summary>
    public IReadOnlyList<HandoffBlocker> Blockers { get; init; } = [];

    /// <summary>What should happen next, with a priority.</summary>
    public IReadOnlyList<NextStep> NextSteps { get; init; } = [];

    /// <summary>Services deployed or touched.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>Architecture state: component name to its state (latest wins in the knowledge base).</summary>
    public IReadOnlyDictionary<string, JsonElement> Architecture { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Free metrics (a JSON object).</summary>
    public JsonElement? Metrics { get; init; }

    /// <summary>Notes for the next session.</summary>
    public string? Notes { get; init; }

    /// <summary>When the session started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the session ended (default: when the handoff was stored).</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>When the handoff was stored.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
