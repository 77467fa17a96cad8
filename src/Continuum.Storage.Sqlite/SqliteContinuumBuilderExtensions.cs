using Continuum.Context;
using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Continuum.Storage.Sqlite;

/// <summary>Selects the embedded SQLite store.</summary>
public static class SqliteContinuumBuilderExtensions
{
    /// <summary>Stores everything in one SQLite file at <paramref name="path"/> (WAL, group commit).</summary>
    public static ContinuumBuilder UseSqlite(this ContinuumBuilder builder, string path, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SqliteStoreOptions>().Configure(o =>
        {
            o.Path = path;
            configure?.Invoke(o);
        });
        builder.Services.TryAddSingleton<SqliteDatabase>();
        builder.Services.TryAddSingleton<ISessionStore, SqliteSessionStore>();
        builder.Services.TryAddSingleton<IEventStore, SqliteEventStore>();
        builder.Services.TryAddSingleton<IUserStore, SqliteUserStore>();
        builder.Services.TryAddSingleton<IStoreMigrator, SqliteMigrator>();
        builder.Services.TryAddSingleton<IContextStore, SqliteContextStore>();
        builder.Services.TryAddSingleton<Handoffs.IHandoffStore, SqliteHandoffStore>();
        builder.Services.TryAddSingleton<Agents.IAgentStore, SqliteAgentStore>();
        builder.Services.TryAddSingleton<Search.ISearchStore, SqliteSearchStore>();
        builder.Services.TryAddSingleton<Memory.IMemoryStore, SqliteMemoryStore>();
        builder.Services.TryAddSingleton<Search.IEmbeddingStore, SqliteEmbeddingStore>();
        builder.Services.TryAddSingleton<Security.IApiKeyStore, SqliteApiKeyStore>();
        builder.Services.TryAddSingleton<Security.IAuditLog, SqliteAuditLog>();
        builder.Services.TryAddSingleton<Lifecycle.ILifecycleStore, SqliteLifecycleStore>();
        builder.Services.TryAddSingleton<Lifecycle.IRetentionStore, SqliteRetentionStore>();
        return builder;
    }
}
