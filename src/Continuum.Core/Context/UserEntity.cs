namespace Continuum.Context;

/// <summary>What is known of an entity across a user's sessions.</summary>
public sealed record UserEntity
{
    /// <summary>The entity as first written.</summary>
    public required string Name { get; init; }

    /// <summary>Its kind.</summary>
    public required string Kind { get; init; }

    /// <summary>When it was first mentioned.</summary>
    public required DateTimeOffset FirstSeen { get; init; }

    /// <summary>When it was last mentioned.</summary>
    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>How many events mentioned it.</summary>
    public required long Mentions { get; init; }

    /// <summary>The sessions it appeared in.</summary>
    public IReadOnlyList<string> Sessions { get; init; } = [];

    /// <summary>The interfaces it appeared on.</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];
}
