namespace Continuum.Lifecycle;

/// <summary>What an import did.</summary>
/// <param name="Records">The records read (the header not counted).</param>
/// <param name="Inserted">The records written, by kind; a record already stored (same key) is skipped.</param>
/// <param name="Skipped">The records skipped because they were already stored.</param>
public sealed record ImportResult(long Records, IReadOnlyDictionary<string, long> Inserted, long Skipped);
