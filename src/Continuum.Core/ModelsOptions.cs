using Continuum.ModelProviders;

namespace Continuum;

/// <summary>Model providers, configured under <c>Continuum:Models</c>.</summary>
public sealed class ModelsOptions
{
    /// <summary>The chat model used for summaries (<c>Continuum:Models:Chat</c>).</summary>
    public ChatModelOptions Chat { get; set; } = new();
}
