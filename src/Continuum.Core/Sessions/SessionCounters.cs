namespace Continuum.Sessions;

/// <summary>Exact running counts of a session's events, kept in the same transaction as each append.</summary>
public sealed record SessionCounters
{
    /// <summary>Events of type <c>message</c>.</summary>
    public long Messages { get; init; }

    /// <summary>Tokens of every event not written by the assistant.</summary>
    public long InputTokens { get; init; }

    /// <summary>Tokens of the assistant's events.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Events of type <c>tool_call</c>.</summary>
    public long ToolCalls { get; init; }

    /// <summary>Events of type <c>error</c>.</summary>
    public long Errors { get; init; }
}
