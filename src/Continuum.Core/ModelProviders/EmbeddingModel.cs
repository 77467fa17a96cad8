using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Continuum.ModelProviders;

/// <summary>The embedding model Continuum uses, if any: an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> from DI or from <c>Continuum:Models:Embeddings</c>.</summary>
/// <param name="Generator">The generator, or null when none is configured.</param>
/// <param name="Name">The model's name, stored with each vector.</param>
public sealed record EmbeddingModel(IEmbeddingGenerator<string, Embedding<float>>? Generator, string Name)
{
    /// <summary>The key under which a host registers the embedded local model's generator (and its <see cref="LocalEmbeddingModel"/>).</summary>
    public const string LocalKey = "continuum-local";

    /// <summary>The text put before a search query when it is embedded (some models expect one; passages get none).</summary>
    public string QueryPrefix { get; init; } = "";

    /// <summary>
    /// The model <paramref name="options"/> choose: none for <c>none</c>; otherwise a generator registered in DI
    /// (code wins over configuration); for <c>openai</c> the OpenAI-compatible endpoint; for <c>local</c> the
    /// embedded model when the host registered it (keyed <see cref="LocalKey"/>), else none.
    /// </summary>
    public static EmbeddingModel Resolve(IServiceProvider services, EmbeddingModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var provider = options.EffectiveProvider;
        if (provider == EmbeddingModelOptions.None)
        {
            return new EmbeddingModel(null, "none");
        }

        if (services.GetService<IEmbeddingGenerator<string, Embedding<float>>>() is { } registered)
        {
            return new EmbeddingModel(registered, options.Model ?? registered.GetType().Name);
        }

        if (provider == EmbeddingModelOptions.OpenAI)
        {
            var generator = OpenAICompatibleModels.CreateEmbeddingGenerator(options, services.GetService<ILoggerFactory>());
            return new EmbeddingModel(generator, generator is null ? "none" : options.Model!);
        }

        if (provider == EmbeddingModelOptions.Local && services.GetKeyedService<LocalEmbeddingModel>(LocalKey) is { } local)
        {
            return new EmbeddingModel(local.Generator, local.Name) { QueryPrefix = local.QueryPrefix };
        }

        return new EmbeddingModel(null, "none");
    }
}

/// <summary>The embedded model a host offers for <c>Provider=local</c>.</summary>
/// <param name="Generator">Its generator (loading the model lazily).</param>
/// <param name="Name">Its name, stored with each vector.</param>
/// <param name="QueryPrefix">The prefix it expects on queries.</param>
public sealed record LocalEmbeddingModel(IEmbeddingGenerator<string, Embedding<float>> Generator, string Name, string QueryPrefix);
