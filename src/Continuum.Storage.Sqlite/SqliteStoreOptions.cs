namespace Continuum.Storage.Sqlite;

/// <summary>Settings of the embedded SQLite store (configuration section <c>Continuum:Storage:Sqlite</c>).</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file. Its folder is created when missing.</summary>
    public string Path { get; set; } = "continuum.db";

    /// <summary>
    /// SQLite's <c>synchronous</c> setting for the writer: <c>FULL</c> (default) syncs the log at every commit, so an
    /// acknowledged write survives a power cut; <c>NORMAL</c> survives a process crash but not a power cut.
    /// </summary>
    public string Synchronous { get; set; } = "FULL";

    /// <summary>How many queued writes one transaction may take (group commit).</summary>
    public int MaxBatch { get; set; } = 512;

    /// <summary>How long a call waits for a lock held by another process before it fails as transient.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
