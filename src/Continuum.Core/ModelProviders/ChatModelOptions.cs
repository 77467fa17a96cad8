namespace Continuum.ModelProviders;

/// <summary>
/// An OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp), configured under
/// <c>Continuum:Models:Chat</c>. Without an endpoint and a model no chat model is used.
/// </summary>
public sealed class ChatModelOptions
{
    /// <summary>The base URL including <c>/v1</c>, e.g. <c>http://127.0.0.1:11434/v1</c> for Ollama.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The model name, e.g. <c>gpt-4o-mini</c> or <c>llama3.1</c>.</summary>
    public string? Model { get; set; }

    /// <summary>The environment variable that holds the API key (the key itself never goes in configuration files).</summary>
    public string ApiKeyEnvironmentVariable { get; set; } = "OPENAI_API_KEY";

    /// <summary>How long one call may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when an endpoint and a model are set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);
}
