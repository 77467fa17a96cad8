namespace Continuum.Context;

/// <summary>A summary of a stretch of a session: of events (level 0) or of earlier summaries (level 1 and up).</summary>
public sealed record Summary
{
    /// <summary>The summary id (<c>sum_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The session summarized.</summary>
    public required string SessionId { get; init; }

    /// <summary>0 for a summary of events; n + 1 for a summary of level-n summaries.</summary>
    public required int Level { get; init; }

    /// <summary>The first seq covered.</summary>
    public required long FromSeq { get; init; }

    /// <summary>The last seq covered.</summary>
    public required long ToSeq { get; init; }

    /// <summary>The summary text.</summary>
    public required string Content { get; init; }

    /// <summary>Token count of the content.</summary>
    public required int Tokens { get; init; }

    /// <summary>Which summarizer wrote it (<c>extractive</c>, <c>llm:MODEL</c>, or <c>extractive-fallback</c> when the model failed).</summary>
    public required string Summarizer { get; init; }

    /// <summary>When it was written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The higher-level summary that folded this one in, or null while it is current.</summary>
    public string? CoveredBy { get; init; }
}
