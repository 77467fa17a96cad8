using System.Text.Json;

namespace Continuum.Sessions;

/// <summary>An event to append, as a client sends it.</summary>
public sealed record NewEvent
{
    /// <summary>One of <see cref="EventType"/>; default <c>message</c>.</summary>
    public string? Type { get; init; }

    /// <summary>One of <see cref="EventRole"/>; default by type (<c>user</c> for a message).</summary>
    public string? Role { get; init; }

    /// <summary>The text (required; at most the configured content limit).</summary>
    public string? Content { get; init; }

    /// <summary>The tool's or author's name.</summary>
    public string? Name { get; init; }

    /// <summary>When it happened, for imports; default now.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>A JSON object of metadata (at most the configured metadata limit).</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>A key that makes a retry return the original event instead of appending twice.</summary>
    public string? IdempotencyKey { get; init; }
}
