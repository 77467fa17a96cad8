namespace Continuum.Storage.Postgres;

/// <summary>Settings of the PostgreSQL store (configuration section <c>Continuum:Storage:Postgres</c>).</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>The configuration section these settings bind from.</summary>
    public const string SectionName = "Continuum:Storage:Postgres";

    /// <summary>The database, e.g. <c>Host=db;Username=continuum;Database=continuum</c>. Required.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How many sessions each node's hot-session cache holds (default 1,000).</summary>
    public int SessionCacheSize { get; set; } = PostgresSessionCache.DefaultCapacity;

    /// <summary>How many append groups (group commits) each node writes at once: 1 to 64 (default 1).</summary>
    public int AppendWriters { get; set; } = PostgresEventStore.DefaultAppendWriters;

    /// <summary>What is wrong with these settings, each saying what to set; empty when they can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add($"{SectionName}:ConnectionString is not set (e.g. Host=db;Username=continuum;Database=continuum).");
        }

        if (AppendWriters is < 1 or > 64)
        {
            problems.Add($"{SectionName}:AppendWriters is {AppendWriters}; it must be between 1 and 64.");
        }

        if (SessionCacheSize < 0)
        {
            problems.Add($"{SectionName}:SessionCacheSize is {SessionCacheSize}; it must be 0 or more.");
        }

        return problems;
    }
}
