using Continuum.ModelProviders;

namespace Continuum.ModelProviders;

/// <summary>Model providers, configured under <c>Continuum:Models</c>.</summary>
public sealed class ModelsOptions
{
    /// <summary>The chat model used for summaries (<c>Continuum:Models:Chat</c>).</summary>
    public ChatModelOptions Chat { get; set; } = new();

    /// <summary>The embedding model used for dense and hybrid search (<c>Continuum:Models:Embeddings</c>).</summary>
    public EmbeddingModelOptions Embeddings { get; set; } = new();
}
