using Continuum.Storage.Postgres;
using Continuum.Storage.Sqlite;

namespace Continuum.Server;

/// <summary>The one composition root: Continuum's services with the store that configuration picks.</summary>
public static class ContinuumConfigurationExtensions
{
    /// <summary>
    /// Adds Continuum's services, binds <see cref="ContinuumOptions"/> from the <c>Continuum</c> section, and picks the
    /// store by <c>Continuum:Storage:Provider</c>: <c>sqlite</c> (default; the file <c>Continuum:Storage:Sqlite:Path</c>,
    /// else <c>continuum.db</c> in the data directory) or <c>postgres</c> (<c>Continuum:Storage:Postgres:ConnectionString</c>).
    /// An unknown provider or unusable store settings throw here, at start, with a message saying what to set.
    /// <paramref name="configure"/> runs after the configuration is bound, so what it sets wins.
    /// </summary>
    public static ContinuumBuilder AddContinuum(this IServiceCollection services, IConfiguration configuration, Action<ContinuumOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        var provider = (storage.Provider ?? "").Trim().ToLowerInvariant();
        if (provider is not (StorageOptions.Sqlite or StorageOptions.Postgres or "postgresql"))
        {
            throw new InvalidOperationException(
                $"Continuum:Storage:Provider is '{storage.Provider}'; set it to 'sqlite' (the default, one file in the data directory) " +
                "or 'postgres' (with Continuum:Storage:Postgres:ConnectionString).");
        }

        services.AddOptions<ContinuumOptions>().Bind(configuration.GetSection(ContinuumOptions.SectionName));
        var continuum = services.AddContinuum(configure);
        AddEmbeddedModel(services, configuration);
        if (provider == StorageOptions.Sqlite)
        {
            var path = configuration["Continuum:Storage:Sqlite:Path"] ?? Path.Combine(ContinuumServer.DataDirectory(configuration), "continuum.db");
            continuum.UseSqlite(path);
            services.AddOptions<SqliteStoreOptions>().Bind(configuration.GetSection("Continuum:Storage:Sqlite")).PostConfigure(o => o.Path = path);
            return continuum;
        }

        var postgres = configuration.GetSection(PostgresStoreOptions.SectionName).Get<PostgresStoreOptions>() ?? new PostgresStoreOptions();
        if (postgres.Problems() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException($"Continuum:Storage:Provider is 'postgres' but {string.Join(" ", problems)}");
        }

        return continuum.UsePostgres(postgres.ConnectionString!, postgres.SessionCacheSize, postgres.AppendWriters);
    }

    // The embedded model is offered to Core for Provider=local (the default); it loads on first use, so a server
    // that never embeds never pays for it.
    private static void AddEmbeddedModel(IServiceCollection services, IConfiguration configuration)
    {
        var embeddings = configuration.GetSection("Continuum:Models:Embeddings").Get<ModelProviders.EmbeddingModelOptions>() ?? new();
        if (embeddings.EffectiveProvider is not (ModelProviders.EmbeddingModelOptions.Local or ModelProviders.EmbeddingModelOptions.OpenAI or ModelProviders.EmbeddingModelOptions.None))
        {
            throw new InvalidOperationException(
                $"Continuum:Models:Embeddings:Provider is '{embeddings.Provider}'; set it to 'local' (the default, the embedded model), " +
                "'openai' (with Continuum:Models:Embeddings:Endpoint and :Model) or 'none' (lexical search only).");
        }

        services.AddKeyedSingleton(ModelProviders.EmbeddingModel.LocalKey, (sp, _) =>
        {
            var threads = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ContinuumOptions>>().Value.Models.Embeddings.Threads;
            return new ModelProviders.LocalEmbeddingModel(
                new Embeddings.Local.LocalEmbeddingGenerator(threads), Embeddings.Local.LocalEmbeddingGenerator.ModelName, Embeddings.Local.LocalEmbeddingGenerator.QueryPrefix);
        });
    }
}
