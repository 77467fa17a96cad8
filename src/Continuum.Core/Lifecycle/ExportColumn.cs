namespace Continuum.Lifecycle;

/// <summary>One column of an exported kind.</summary>
/// <param name="Name">The column's name in the schema and in the export line.</param>
/// <param name="Type">How its value is written.</param>
/// <param name="Nullable">Whether it may be null (a missing member reads as null).</param>
public sealed record ExportColumn(string Name, ExportColumnType Type, bool Nullable = false);
