namespace Continuum.Lifecycle;

/// <summary>How a column is written in an export line and held in an <see cref="ExportRow"/>.</summary>
public enum ExportColumnType
{
    /// <summary>A JSON string; a <see cref="string"/>.</summary>
    Text,

    /// <summary>A JSON integer; a <see cref="long"/> (times are UTC ticks).</summary>
    WholeNumber,

    /// <summary>A JSON number; a <see cref="double"/>.</summary>
    Real,

    /// <summary>JSON true or false; a <see cref="bool"/>.</summary>
    Boolean,

    /// <summary>Any JSON value, written as it is stored; its JSON text as a <see cref="string"/>.</summary>
    Json,

    /// <summary>As <see cref="Json"/>; the PostgreSQL store keeps it as <c>jsonb</c>.</summary>
    Jsonb,
}
