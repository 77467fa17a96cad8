namespace Continuum.Handoffs;

/// <summary>A file in the project's code registry.</summary>
/// <param name="Path">The file.</param>
/// <param name="Description">What it is, from the latest handoff that said.</param>
/// <param name="UpdatedAt">When a handoff last touched it.</param>
public sealed record CodeEntry(string Path, string? Description, DateTimeOffset UpdatedAt);
