namespace Continuum.Model;

/// <summary>A typed link from one session to another.</summary>
/// <param name="FromSessionId">The earlier session (the parent, the one handing over).</param>
/// <param name="ToSessionId">The later session.</param>
/// <param name="Type">One of <see cref="SessionLinkType"/>.</param>
/// <param name="AtSeq">For a fork, the parent's seq it branched at.</param>
/// <param name="CreatedAt">When the link was made.</param>
public sealed record SessionLink(string FromSessionId, string ToSessionId, string Type, long? AtSeq, DateTimeOffset CreatedAt);
