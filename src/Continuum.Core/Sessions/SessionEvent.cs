using System.Text.Json;

namespace Continuum.Sessions;

/// <summary>One entry of a session's append-only, ordered event log.</summary>
public sealed record SessionEvent
{
    /// <summary>The event id (<c>evt_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The session the event belongs to.</summary>
    public required string SessionId { get; init; }

    /// <summary>Position in the session: 1, 2, 3, … with no gaps.</summary>
    public required long Seq { get; init; }

    /// <summary>One of <see cref="EventType"/>.</summary>
    public required string Type { get; init; }

    /// <summary>One of <see cref="EventRole"/>.</summary>
    public required string Role { get; init; }

    /// <summary>The tool's or author's name, when there is one.</summary>
    public string? Name { get; init; }

    /// <summary>The text of the event.</summary>
    public required string Content { get; init; }

    /// <summary>Token count of <see cref="Content"/>.</summary>
    public int Tokens { get; init; }

    /// <summary>Entities mentioned in the event.</summary>
    public IReadOnlyList<string> Entities { get; init; } = [];

    /// <summary>The interface the event was written on.</summary>
    public required string Interface { get; init; }

    /// <summary>When the event happened (as given by an import, otherwise when it was appended).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Metadata exactly as it was appended (attachments, model, latency…), or null.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>The client's idempotency key, if it gave one.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The summary that covers the event once compression has folded it (the event itself stays), in event listings.</summary>
    public string? SummaryId { get; init; }
}
