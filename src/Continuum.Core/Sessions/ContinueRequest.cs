namespace Continuum.Sessions;

/// <summary>Continue a session on another interface.</summary>
public sealed record ContinueRequest
{
    /// <summary>The interface to continue on (required).</summary>
    public string? Interface { get; init; }

    /// <summary>The new interface's own handle.</summary>
    public string? InterfaceId { get; init; }

    /// <summary>The serving node's name.</summary>
    public string? NodeName { get; init; }
}
