namespace Continuum.Lifecycle;

/// <summary>One exported record: a row of a kind, its values in the kind's column order (the tenant left out).</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Values">The values, typed as <see cref="ExportColumnType"/> says; null for SQL NULL.</param>
public sealed record ExportRow(ExportKind Kind, object?[] Values);
