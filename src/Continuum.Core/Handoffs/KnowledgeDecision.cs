namespace Continuum.Handoffs;

/// <summary>A decision in the project's log.</summary>
/// <param name="Id">Its id in the project, e.g. <c>decision-007</c>.</param>
/// <param name="Date">When it was handed off.</param>
/// <param name="Decision">What was decided.</param>
/// <param name="Reasoning">Why.</param>
/// <param name="Impact">What it changes.</param>
/// <param name="Status"><c>active</c>.</param>
/// <param name="HandoffId">The handoff it came from.</param>
public sealed record KnowledgeDecision(string Id, DateTimeOffset Date, string Decision, string? Reasoning, string? Impact, string Status, string HandoffId);
