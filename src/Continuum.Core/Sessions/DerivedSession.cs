namespace Continuum.Sessions;

/// <summary>A child session to store, the link to its parent, and how many of the parent's events it copies.</summary>
/// <param name="Child">The child session row.</param>
/// <param name="Link">The link from the parent to the child.</param>
/// <param name="CopyThroughSeq">The parent's events with seq up to this are copied to the child; 0 copies none.</param>
public sealed record DerivedSession(Session Child, SessionLink Link, long CopyThroughSeq);
