namespace Continuum.Context;

/// <summary>An entity found in a text.</summary>
/// <param name="Name">The entity as written (e.g. <c>gpu-3</c>, <c>82C</c>, <c>Ann</c>).</param>
/// <param name="Kind">What it is: person, host, service, version, quantity, path, url, command, name.</param>
public sealed record EntityMention(string Name, string Kind)
{
    /// <summary>The key entities are matched by: case-insensitive name.</summary>
    public string Key => Name.ToLowerInvariant();
}
