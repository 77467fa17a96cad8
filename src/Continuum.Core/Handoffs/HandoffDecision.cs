namespace Continuum.Handoffs;

/// <summary>A decision taken in a session.</summary>
/// <param name="Decision">What was decided.</param>
/// <param name="Reasoning">Why.</param>
/// <param name="Impact">What it changes.</param>
public sealed record HandoffDecision(string Decision, string? Reasoning = null, string? Impact = null);
