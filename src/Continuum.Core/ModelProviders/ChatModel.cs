using Microsoft.Extensions.AI;

namespace Continuum.ModelProviders;

/// <summary>The chat model Continuum uses, if any: an <see cref="IChatClient"/> from DI or from <c>Continuum:Models:Chat</c>.</summary>
/// <param name="Client">The client, or null when no model is configured.</param>
public sealed record ChatModel(IChatClient? Client);
