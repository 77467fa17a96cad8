using Continuum.Storage;

namespace Continuum.Sessions;

/// <summary>A validated event ready to store; the store gives it its seq and interface.</summary>
public sealed record EventRecord
{
    /// <summary>The new event's id.</summary>
    public required string Id { get; init; }

    /// <summary>The event type.</summary>
    public required string Type { get; init; }

    /// <summary>The role.</summary>
    public required string Role { get; init; }

    /// <summary>The tool's or author's name.</summary>
    public string? Name { get; init; }

    /// <summary>The text.</summary>
    public required string Content { get; init; }

    /// <summary>Token count of the content.</summary>
    public required int Tokens { get; init; }

    /// <summary>Entities mentioned (names, as stored on the event).</summary>
    public IReadOnlyList<string> Entities { get; init; } = [];

    /// <summary>Entities mentioned with their kinds, counted per session and per user.</summary>
    public IReadOnlyList<Context.EntityMention> Mentions { get; init; } = [];

    /// <summary>When it happened.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Metadata as the raw JSON text the client sent, or null.</summary>
    public string? MetadataJson { get; init; }

    /// <summary>The idempotency key, or null.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The event as stored at <paramref name="seq"/> of the session, on <paramref name="interfaceName"/>.</summary>
    public SessionEvent ToEvent(string sessionId, long seq, string interfaceName) => new()
    {
        Id = Id,
        SessionId = sessionId,
        Seq = seq,
        Type = Type,
        Role = Role,
        Name = Name,
        Content = Content,
        Tokens = Tokens,
        Entities = Entities,
        Interface = interfaceName,
        CreatedAt = CreatedAt,
        Metadata = MetadataJson is null ? null : StoredJson.ParseElement(MetadataJson),
        IdempotencyKey = IdempotencyKey,
    };
}
