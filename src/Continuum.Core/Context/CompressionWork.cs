using Continuum.Sessions;

namespace Continuum.Context;

/// <summary>What the compressor needs of a session: its limits and its not yet summarized events.</summary>
/// <param name="Session">The session.</param>
/// <param name="SummarizedSeq">The last seq folded into a summary (0 when none).</param>
/// <param name="UnsummarizedTokens">Tokens of the events after it.</param>
/// <param name="Events">The events after <paramref name="SummarizedSeq"/>, oldest first (at most a bounded number).</param>
public sealed record CompressionWork(Session Session, long SummarizedSeq, long UnsummarizedTokens, IReadOnlyList<SessionEvent> Events);
