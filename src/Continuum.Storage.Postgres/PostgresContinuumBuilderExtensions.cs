using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Continuum.Storage.Postgres;

/// <summary>Selects the PostgreSQL store.</summary>
public static class PostgresContinuumBuilderExtensions
{
    /// <summary>
    /// Stores sessions, events, users and identities in PostgreSQL at <paramref name="connectionString"/>. The
    /// other stores (context, handoffs, agents, search, memory) are not ported yet: a server needs them all, so
    /// <c>serve</c> does not offer this store until they are.
    /// </summary>
    public static ContinuumBuilder UsePostgres(this ContinuumBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(_ => new PostgresDatabase(connectionString));
        builder.Services.TryAddSingleton<ISessionStore, PostgresSessionStore>();
        builder.Services.TryAddSingleton<IEventStore, PostgresEventStore>();
        builder.Services.TryAddSingleton<IUserStore, PostgresUserStore>();
        builder.Services.TryAddSingleton<IStoreMigrator, PostgresMigrator>();
        return builder;
    }
}
