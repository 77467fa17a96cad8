namespace Continuum.Handoffs;

/// <summary>Work left for later.</summary>
/// <param name="Task">What to do.</param>
/// <param name="Priority"><c>high</c>, <c>medium</c> or <c>low</c>.</param>
public sealed record NextStep(string Task, string Priority = "medium");
