namespace Continuum.Sessions;

/// <summary>Fork a session at an event.</summary>
public sealed record ForkRequest
{
    /// <summary>The last seq the fork keeps; default the session's last event.</summary>
    public long? AtSeq { get; init; }

    /// <summary>A title for the fork.</summary>
    public string? Title { get; init; }
}
