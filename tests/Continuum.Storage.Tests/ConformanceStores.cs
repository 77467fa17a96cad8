namespace Continuum.Storage.Tests;

/// <summary>
/// One fresh set of stores for a conformance test, as a provider's fixture made them: migrated, empty, and
/// released (database and files) when disposed.
/// </summary>
public sealed class ConformanceStores(
    ISessionStore sessions,
    IEventStore events,
    IUserStore users,
    IStoreMigrator migrator,
    MigrationReport firstMigration,
    Func<ValueTask> release) : IAsyncDisposable
{
    public ISessionStore Sessions { get; } = sessions;

    public IEventStore Events { get; } = events;

    public IUserStore Users { get; } = users;

    public IStoreMigrator Migrator { get; } = migrator;

    /// <summary>What the fixture's own migration of the empty store reported.</summary>
    public MigrationReport FirstMigration { get; } = firstMigration;

    public ValueTask DisposeAsync() => release();
}
