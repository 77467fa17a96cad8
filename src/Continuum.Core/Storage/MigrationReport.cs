namespace Continuum.Storage;

/// <summary>What a migration run found and did.</summary>
/// <param name="Store">The store migrated.</param>
/// <param name="FromVersion">The schema version before.</param>
/// <param name="ToVersion">The schema version after.</param>
/// <param name="Applied">Names of the migrations applied, in order.</param>
public sealed record MigrationReport(string Store, int FromVersion, int ToVersion, IReadOnlyList<string> Applied);
