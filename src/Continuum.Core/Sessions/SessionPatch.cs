using System.Text.Json;

namespace Continuum.Sessions;

/// <summary>A partial update of a session. Absent members are left as they are.</summary>
public sealed record SessionPatch
{
    /// <summary>A new title.</summary>
    public string? Title { get; init; }

    /// <summary>A new status (one of <see cref="SessionStatus"/>).</summary>
    public string? Status { get; init; }

    /// <summary>Merged into the state (JSON merge patch: null removes a member).</summary>
    public JsonElement? State { get; init; }

    /// <summary>Merged into the preferences.</summary>
    public JsonElement? Preferences { get; init; }

    /// <summary>Merged into the metadata.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>A new sliding expiry window; also moves the expiry to now plus this.</summary>
    public long? ExpiresInSeconds { get; init; }

    /// <summary>A new token limit.</summary>
    public int? TokenLimit { get; init; }
}
