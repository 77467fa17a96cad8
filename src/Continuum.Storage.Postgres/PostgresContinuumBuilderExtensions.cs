using Continuum.Realtime;
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
    public static ContinuumBuilder UsePostgres(this ContinuumBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(_ => new PostgresDatabase(connectionString));
        builder.Services.TryAddSingleton<ISessionStore, PostgresSessionStore>();
        builder.Services.TryAddSingleton<IEventStore, PostgresEventStore>();
        builder.Services.TryAddSingleton<IUserStore, PostgresUserStore>();
        builder.Services.TryAddSingleton<IStoreMigrator, PostgresMigrator>();
        builder.Services.TryAddSingleton<IContextStore, PostgresContextStore>();
        builder.Services.TryAddSingleton<Handoffs.IHandoffStore, PostgresHandoffStore>();
        builder.Services.TryAddSingleton<Agents.IAgentStore, PostgresAgentStore>();
        builder.Services.TryAddSingleton<PostgresSearchStore>();
        builder.Services.TryAddSingleton<Search.ISearchStore>(sp => sp.GetRequiredService<PostgresSearchStore>());
        builder.Services.TryAddSingleton<Memory.IMemoryStore, PostgresMemoryStore>();
        builder.Services.TryAddSingleton<Search.IEmbeddingStore, PostgresEmbeddingStore>();
        builder.Services.Replace(ServiceDescriptor.Singleton<Hosting.IClusterLease, PostgresClusterLease>());
        builder.Services.TryAddSingleton<PostgresChangeFeed>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IChangeFeed>(sp => sp.GetRequiredService<PostgresChangeFeed>()));
        builder.Services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<PostgresChangeFeed>());
        return builder;
    }
}
