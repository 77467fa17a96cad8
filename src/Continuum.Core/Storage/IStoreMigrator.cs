namespace Continuum.Storage;

/// <summary>Brings a store's schema to the version this build expects.</summary>
public interface IStoreMigrator
{
    /// <summary>A short description of the store, e.g. the SQLite file path.</summary>
    string Describe();

    /// <summary>Applies every migration not yet applied, in order, each in its own transaction; returns what it did.</summary>
    Task<MigrationReport> MigrateAsync(CancellationToken cancellationToken);
}
