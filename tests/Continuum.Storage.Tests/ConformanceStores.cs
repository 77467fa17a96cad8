using Continuum.Agents;
using Continuum.Context;
using Continuum.Handoffs;
using Continuum.Memory;
using Continuum.Search;
using Continuum.Sessions;
using Continuum.Users;

namespace Continuum.Storage.Tests;

/// <summary>
/// One fresh set of stores for a conformance test, as a provider's fixture made them: migrated, empty, and
/// released (database and files) when disposed. Every store interface of Core is here.
/// </summary>
public sealed class ConformanceStores(Func<ValueTask> release) : IAsyncDisposable
{
    public required ISessionStore Sessions { get; init; }

    public required IEventStore Events { get; init; }

    public required IUserStore Users { get; init; }

    public required IStoreMigrator Migrator { get; init; }

    public required IContextStore Context { get; init; }

    public required IHandoffStore Handoffs { get; init; }

    public required ISearchStore Search { get; init; }

    public required IEmbeddingStore Embeddings { get; init; }

    public required IMemoryStore Memories { get; init; }

    public required IAgentStore Agents { get; init; }

    public required Lifecycle.IRetentionStore Retention { get; init; }

    public required Security.IAuditLog Audit { get; init; }

    /// <summary>What the fixture's own migration of the empty store reported.</summary>
    public required MigrationReport FirstMigration { get; init; }

    public ValueTask DisposeAsync() => release();
}
