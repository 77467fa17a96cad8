namespace Continuum.Agents;

/// <summary>What a create-or-update wrote, and whether it created the resource (the API answers 201) or updated it (200).</summary>
/// <typeparam name="T">The resource.</typeparam>
/// <param name="Value">The resource as stored.</param>
/// <param name="Created">True when the write created it.</param>
public sealed record Upserted<T>(T Value, bool Created);
