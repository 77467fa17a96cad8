namespace Continuum.Sessions;

/// <summary>
/// What an append does to its session, decided by <see cref="AppendPlan.Decide"/>: the rows to insert, the
/// session's new seq, counters and expiry, and what each event of the request answers. A store writes exactly this.
/// </summary>
public sealed record AppendDecision
{
    /// <summary>What each event of the request answers, in order.</summary>
    public required IReadOnlyList<AppendResult> Results { get; init; }

    /// <summary>The events to insert, in seq order; empty when every event was stored before.</summary>
    public required IReadOnlyList<AppendRow> Rows { get; init; }

    /// <summary>What the new rows add to the session's counters.</summary>
    public required EventCounts Counts { get; init; }

    /// <summary>The session's last seq after the append.</summary>
    public required long LastSeq { get; init; }

    /// <summary>The session's expiry after the append.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>
    /// True when the session row is left as it is: a retry of appends to a session that has since closed or
    /// expired, answered with the originals.
    /// </summary>
    public bool Replay { get; init; }

    /// <summary>The outcome once written, with the session's token counters as the write left them.</summary>
    public AppendOutcome Outcome(long unsummarizedTokens, int tokenLimit) => new(Results, unsummarizedTokens, tokenLimit);
}
