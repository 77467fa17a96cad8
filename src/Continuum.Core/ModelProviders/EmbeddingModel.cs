using Microsoft.Extensions.AI;

namespace Continuum.ModelProviders;

/// <summary>The embedding model Continuum uses, if any: an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> from DI or from <c>Continuum:Models:Embeddings</c>.</summary>
/// <param name="Generator">The generator, or null when none is configured.</param>
/// <param name="Name">The model's name, stored with each vector.</param>
public sealed record EmbeddingModel(IEmbeddingGenerator<string, Embedding<float>>? Generator, string Name);
