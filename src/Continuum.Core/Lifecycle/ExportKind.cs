namespace Continuum.Lifecycle;

/// <summary>
/// One kind of record in an export: a table of the schema, its columns (without the tenant), the order rows are
/// written in, and which rows each scope holds.
/// </summary>
/// <param name="Name">The kind's name in the export line (the table's name).</param>
/// <param name="Columns">The columns, in the order they are written.</param>
/// <param name="OrderBy">The columns rows are ordered by (a unique key), so two exports of the same data are the same bytes.</param>
/// <param name="Scopes">Per scope, the SQL condition (with <c>@tenant</c> and <c>@id</c>) that picks the scope's rows; a scope not named holds none.</param>
public sealed record ExportKind(string Name, IReadOnlyList<ExportColumn> Columns, string OrderBy, IReadOnlyDictionary<string, string> Scopes);
