using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace Continuum.ModelProviders;

/// <summary>
/// Builds the chat client and the embedding generator for an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM,
/// llama.cpp) with Microsoft.Extensions.AI.OpenAI, each through a <see cref="ChatClientBuilder"/> or
/// <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/> pipeline. The key is read from the environment
/// variable the options name; it never goes in configuration.
/// </summary>
public static class OpenAICompatibleModels
{
    /// <summary>
    /// The chat client for <paramref name="options"/>, or null when no endpoint and model are configured. Calls
    /// are not retried: Continuum retries a failed summary itself, later, and a blocking retry loop would only
    /// delay the fallback to the extractive summary.
    /// </summary>
    public static IChatClient? CreateChatClient(ChatModelOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            return null;
        }

        var inner = Client(options.Endpoint!, options.ApiKeyEnvironmentVariable, options.Timeout)
            .GetChatClient(options.Model!)
            .AsIChatClient();
        var builder = new ChatClientBuilder(inner);
        if (loggerFactory is not null)
        {
            // Calls at Debug, their content only at Trace.
            builder.UseLogging(loggerFactory);
        }

        return builder.Build();
    }

    /// <summary>
    /// The embedding generator for <paramref name="options"/>, or null when no endpoint and model are configured.
    /// Calls are not retried: the indexer retries with its own backoff and a query falls back to lexical search
    /// at once. A response with fewer or more vectors than texts fails the call.
    /// </summary>
    public static IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(EmbeddingModelOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            return null;
        }

        var inner = Client(options.Endpoint!, options.ApiKeyEnvironmentVariable, options.Timeout)
            .GetEmbeddingClient(options.Model!)
            .AsIEmbeddingGenerator();
        var builder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(inner);
        if (loggerFactory is not null)
        {
            builder.UseLogging(loggerFactory);
        }

        return builder.Use(next => new OneVectorPerText(next)).Build();
    }

    private static OpenAIClient Client(string endpoint, string keyVariable, TimeSpan timeout)
    {
        var key = Environment.GetEnvironmentVariable(keyVariable);
        // Local servers (Ollama, llama.cpp) need no key, but the SDK needs a credential.
        return new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(key) ? "no-key" : key), new OpenAIClientOptions
        {
            Endpoint = new Uri(endpoint),
            NetworkTimeout = timeout,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
    }

    // A vector per text, in order, or the call fails: a short answer would otherwise pair texts with the wrong vectors.
    private sealed class OneVectorPerText(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var inputs = values as IReadOnlyCollection<string> ?? [.. values];
            var result = await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
            return result.Count == inputs.Count
                ? result
                : throw new InvalidOperationException($"The embeddings endpoint returned {result.Count} vectors for {inputs.Count} texts.");
        }
    }
}
