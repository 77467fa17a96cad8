namespace Continuum.Sessions;

/// <summary>The outcome of one append.</summary>
/// <param name="Event">The stored event.</param>
/// <param name="Existing">True when the idempotency key matched an earlier append and nothing new was stored.</param>
public sealed record AppendResult(SessionEvent Event, bool Existing);
