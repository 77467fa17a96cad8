namespace Continuum.Server;

/// <summary>Which store holds Continuum's data (configuration section <c>Continuum:Storage</c>).</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section these settings bind from.</summary>
    public const string SectionName = "Continuum:Storage";

    /// <summary>The embedded SQLite store (the default).</summary>
    public const string Sqlite = "sqlite";

    /// <summary>The PostgreSQL store.</summary>
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>; any other value fails at start.</summary>
    public string Provider { get; set; } = Sqlite;
}
