namespace Continuum.Context;

/// <summary>An entity with how often it was mentioned.</summary>
/// <param name="Name">The entity as first written.</param>
/// <param name="Kind">person, host, quantity, name, …</param>
/// <param name="Mentions">How many events mentioned it.</param>
/// <param name="LastSeq">The last event that mentioned it.</param>
public sealed record EntityCount(string Name, string Kind, long Mentions, long LastSeq);
