namespace Continuum.Handoffs;

/// <summary>A blocker met in a session.</summary>
/// <param name="Blocker">What blocked.</param>
/// <param name="Solution">How it was solved, if it was.</param>
/// <param name="Lesson">What to remember.</param>
public sealed record HandoffBlocker(string Blocker, string? Solution = null, string? Lesson = null);
