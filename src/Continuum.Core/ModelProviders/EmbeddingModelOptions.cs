namespace Continuum.ModelProviders;

/// <summary>
/// The embedding model, configured under <c>Continuum:Models:Embeddings</c>: the embedded local model (the default,
/// <c>Provider</c> = <c>local</c>), an OpenAI-compatible embeddings endpoint (<c>/v1/embeddings</c> of OpenAI, Ollama,
/// vLLM, llama.cpp; <c>openai</c>), or none (<c>none</c>: search is lexical only).
/// </summary>
public sealed class EmbeddingModelOptions
{
    /// <summary>The provider name for the embedded local model.</summary>
    public const string Local = "local";

    /// <summary>The provider name for an OpenAI-compatible endpoint.</summary>
    public const string OpenAI = "openai";

    /// <summary>The provider name for no model (lexical search only).</summary>
    public const string None = "none";

    /// <summary>
    /// <c>local</c>, <c>openai</c> or <c>none</c>. Unset: <c>openai</c> when an endpoint and a model are set, else <c>local</c>.
    /// </summary>
    public string? Provider { get; set; }

    /// <summary>Threads the local model uses for one call (ONNX Runtime's intra-op threads; default 1, so indexing never takes every core).</summary>
    public int Threads { get; set; } = 1;

    /// <summary>The provider in effect: <see cref="Provider"/> in lower case, or its default.</summary>
    public string EffectiveProvider => string.IsNullOrWhiteSpace(Provider) ? (IsConfigured ? OpenAI : Local) : Provider.Trim().ToLowerInvariant();

    /// <summary>The base URL including <c>/v1</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The model name, e.g. <c>text-embedding-3-small</c> or <c>nomic-embed-text</c>.</summary>
    public string? Model { get; set; }

    /// <summary>The environment variable that holds the API key.</summary>
    public string ApiKeyEnvironmentVariable { get; set; } = "OPENAI_API_KEY";

    /// <summary>How long one call may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many texts go in one call (default 64).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>True when an endpoint and a model are set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);
}
