using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Embeddings;

namespace Continuum.ModelProviders;

/// <summary>An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over any OpenAI-compatible <c>/v1/embeddings</c> endpoint, through the OpenAI SDK.</summary>
public sealed class OpenAICompatibleEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingClient _client;
    private readonly string _model;

    /// <summary>Connects to the endpoint in <paramref name="options"/>; the key is read from its environment variable.</summary>
    public OpenAICompatibleEmbeddingGenerator(EmbeddingModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            throw new InvalidOperationException("Continuum:Models:Embeddings needs Endpoint and Model.");
        }

        _model = options.Model!;
        var key = Environment.GetEnvironmentVariable(options.ApiKeyEnvironmentVariable);
        _client = new EmbeddingClient(_model, new ApiKeyCredential(string.IsNullOrEmpty(key) ? "no-key" : key), new OpenAIClientOptions
        {
            Endpoint = new Uri(options.Endpoint!),
            NetworkTimeout = options.Timeout,
            // The indexer retries with its own backoff; the query path falls back to lexical search at once.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
    }

    /// <summary>A generator for the configured endpoint, or null when none is configured.</summary>
    public static OpenAICompatibleEmbeddingGenerator? FromOptions(EmbeddingModelOptions options) =>
        options is { IsConfigured: true } ? new OpenAICompatibleEmbeddingGenerator(options) : null;

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, Microsoft.Extensions.AI.EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values.ToList();
        var result = await _client.GenerateEmbeddingsAsync(inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        var ordered = result.Value.OrderBy(e => e.Index).Select(e => new Embedding<float>(e.ToFloats()) { ModelId = _model }).ToList();
        if (ordered.Count != inputs.Count)
        {
            throw new InvalidOperationException($"The embeddings endpoint returned {ordered.Count} vectors for {inputs.Count} texts.");
        }

        return new GeneratedEmbeddings<Embedding<float>>(ordered);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
