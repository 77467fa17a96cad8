namespace Continuum.ModelProviders;

/// <summary>
/// An OpenAI-compatible embeddings endpoint (<c>/v1/embeddings</c> of OpenAI, Ollama, vLLM, llama.cpp), configured
/// under <c>Continuum:Models:Embeddings</c>. Without an endpoint and a model, search is lexical only.
/// </summary>
public sealed class EmbeddingModelOptions
{
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
