namespace Continuum.Lifecycle;

/// <summary>What an export wrote.</summary>
/// <param name="Records">The records written (the header not counted).</param>
public sealed record ExportSummary(long Records);
