using Continuum.Context;
using Continuum.Realtime;
using Continuum.Sessions;
using Continuum.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Continuum.Storage.Postgres;

/// <summary>Selects the PostgreSQL store.</summary>
public static class PostgresContinuumBuilderExtensions
{
    /// <summary>
    /// Stores everything in PostgreSQL at <paramref name="connectionString"/>, and sends change notices between
    /// nodes with LISTEN/NOTIFY, so several nodes can serve one database.
    /// </summary>
    /// <param name="builder">The Continuum services.</param>
    /// <param name="connectionString">The database.</param>
    /// <param name="sessionCacheSize">How many sessions each node's hot-session cache holds (default 1,000).</param>
    /// <param name="appendWriters">How many append groups (group commits) each node writes at once (default 1).</param>
    public static ContinuumBuilder UsePostgres(this ContinuumBuilder builder, string connectionString, int sessionCacheSize = PostgresSessionCache.DefaultCapacity,
        int appendWriters = PostgresEventStore.DefaultAppendWriters)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(_ => new PostgresDatabase(connectionString));
        builder.Services.TryAddSingleton(sp => new PostgresSessionCache(sessionCacheSize, sp.GetRequiredService<IChangeFeed>()));
        builder.Services.TryAddSingleton<ISessionCacheReport>(sp => sp.GetRequiredService<PostgresSessionCache>());
        builder.Services.TryAddSingleton<ISessionStore>(sp => new PostgresSessionStore(sp.GetRequiredService<PostgresDatabase>(), sp.GetRequiredService<PostgresSessionCache>()));
        builder.Services.TryAddSingleton(sp => new PostgresEventStore(sp.GetRequiredService<PostgresDatabase>(), appendWriters));
        builder.Services.TryAddSingleton<IEventStore>(sp => sp.GetRequiredService<PostgresEventStore>());
        builder.Services.TryAddSingleton<IAppendGroupReport>(sp => sp.GetRequiredService<PostgresEventStore>());
        builder.Services.TryAddSingleton<IUserStore, PostgresUserStore>();
        builder.Services.TryAddSingleton<IStoreMigrator, PostgresMigrator>();
        builder.Services.TryAddSingleton<IContextStore, PostgresContextStore>();
        builder.Services.TryAddSingleton<Handoffs.IHandoffStore, PostgresHandoffStore>();
        builder.Services.TryAddSingleton<Agents.IAgentStore, PostgresAgentStore>();
        builder.Services.TryAddSingleton<PostgresSearchStore>();
        builder.Services.TryAddSingleton<Search.ISearchStore>(sp => sp.GetRequiredService<PostgresSearchStore>());
        builder.Services.TryAddSingleton<Memory.IMemoryStore, PostgresMemoryStore>();
        builder.Services.TryAddSingleton<Search.IEmbeddingStore, PostgresEmbeddingStore>();
        builder.Services.TryAddSingleton<Security.IApiKeyStore, PostgresApiKeyStore>();
        builder.Services.TryAddSingleton<Security.IAuditLog, PostgresAuditLog>();
        builder.Services.TryAddSingleton<Lifecycle.ILifecycleStore, PostgresLifecycleStore>();
        builder.Services.TryAddSingleton<Lifecycle.IRetentionStore, PostgresRetentionStore>();
        builder.Services.Replace(ServiceDescriptor.Singleton<Hosting.IClusterLease, PostgresClusterLease>());
        builder.Services.TryAddSingleton<PostgresChangeFeed>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IChangeFeed>(sp => sp.GetRequiredService<PostgresChangeFeed>()));
        builder.Services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<PostgresChangeFeed>());
        return builder;
    }
}
