namespace Continuum.AspNetCore.Gateway;

/// <summary>One OpenAI-compatible upstream (OpenAI, Ollama, vLLM, llama.cpp).</summary>
public sealed class GatewayUpstreamOptions
{
    /// <summary>The base URL including <c>/v1</c>; <c>/chat/completions</c> is appended.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The model name sent upstream; default the name the client asked for.</summary>
    public string? Model { get; set; }

    /// <summary>The environment variable that holds the upstream's API key (keys never go in configuration files).</summary>
    public string ApiKeyEnvironmentVariable { get; set; } = "OPENAI_API_KEY";

    /// <summary>How long the upstream may take to start answering, and to send each next piece of a stream, before the call is a 504.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}
