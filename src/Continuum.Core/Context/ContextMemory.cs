namespace Continuum.Context;

/// <summary>A long-term memory placed into a context.</summary>
/// <param name="Id">The memory id.</param>
/// <param name="Kind">conversation, preference, fact or note.</param>
/// <param name="Content">The memory text.</param>
public sealed record ContextMemory(string Id, string Kind, string Content);
