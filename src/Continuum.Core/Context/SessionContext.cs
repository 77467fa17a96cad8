using Continuum.Sessions;

namespace Continuum.Context;

/// <summary>What a model would receive for a session, within a token budget.</summary>
public sealed record SessionContext
{
    /// <summary>The context as chat messages (OpenAI roles): one system message with the background, then the recent messages.</summary>
    public required IReadOnlyList<ChatMessageDto> Messages { get; init; }

    /// <summary>The same context as one prompt string.</summary>
    public required string Prompt { get; init; }

    /// <summary>The budget it was built for.</summary>
    public required int Budget { get; init; }

    /// <summary>Tokens of each part; <see cref="ContextTokens.Total"/> never exceeds <see cref="Budget"/>.</summary>
    public required ContextTokens Tokens { get; init; }

    /// <summary>What was carried over from the parent session, as placed in the context, or null.</summary>
    public string? CarriedOver { get; init; }

    /// <summary>The summaries placed, oldest first.</summary>
    public IReadOnlyList<Summary> Summaries { get; init; } = [];

    /// <summary>The long-term memories placed.</summary>
    public IReadOnlyList<ContextMemory> Memories { get; init; } = [];

    /// <summary>The session's entities placed, most mentioned first.</summary>
    public IReadOnlyList<EntityCount> Entities { get; init; } = [];

    /// <summary>The session's topics.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>The recent events placed, oldest first.</summary>
    public IReadOnlyList<SessionEvent> Recent { get; init; } = [];
}
