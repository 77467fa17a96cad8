namespace Continuum.Sessions;

/// <summary>What an append needs of its session, as the store read it under the session's lock.</summary>
/// <param name="UserId">The session's user, or null; stored on each event.</param>
/// <param name="Interface">The session's interface; stored on each event.</param>
/// <param name="Status">The session's status.</param>
/// <param name="ExpiresAt">When the session expires.</param>
/// <param name="ExpiresInSeconds">How far each append slides the expiry.</param>
/// <param name="LastSeq">The seq of the session's last event.</param>
public sealed record AppendTarget(string? UserId, string Interface, string Status, DateTimeOffset ExpiresAt, long ExpiresInSeconds, long LastSeq);
