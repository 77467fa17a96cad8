using System.Collections;

namespace Continuum.Sessions;

/// <summary>
/// What an append stored: the answer of each event, in order, and the session's not yet summarized tokens against
/// its limit after it, from which the caller decides whether the session needs compressing.
/// </summary>
/// <param name="Results">What each event of the request answers.</param>
/// <param name="UnsummarizedTokens">The session's tokens not yet covered by a summary, after the append; 0 for a replay.</param>
/// <param name="TokenLimit">The session's token limit; 0 for a replay.</param>
public sealed record AppendOutcome(IReadOnlyList<AppendResult> Results, long UnsummarizedTokens, int TokenLimit) : IReadOnlyList<AppendResult>
{
    /// <inheritdoc />
    public AppendResult this[int index] => Results[index];

    /// <inheritdoc />
    public int Count => Results.Count;

    /// <inheritdoc />
    public IEnumerator<AppendResult> GetEnumerator() => Results.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
