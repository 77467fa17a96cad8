using Continuum.Errors;

namespace Continuum.Sessions;

/// <summary>
/// The rules of continuing or forking a session, in one place for every store: the parent must exist; a fork is
/// taken at a seq no later than the parent's last (its last, by default) and the child starts at that seq with
/// copies of the parent's events up to it; a continuation starts empty. The child sees the parent with its most
/// mentioned entities. A store reads the parent, calls <see cref="Derive"/>, and writes the child, its events and the link.
/// </summary>
public static class SessionDerivation
{
    /// <summary>How many of the parent's entities, most mentioned first, the child is given.</summary>
    public const int TopEntities = 20;

    /// <summary>The seq a fork is taken at, checked against the parent as read.</summary>
    /// <exception cref="NotFoundException">The parent does not exist.</exception>
    /// <exception cref="ValidationException">The seq is past the parent's last.</exception>
    public static long ForkPoint(string parentId, Session? parent, long? forkAtSeq)
    {
        if (parent is null)
        {
            throw new NotFoundException("Session", parentId);
        }

        var atSeq = forkAtSeq ?? parent.LastSeq;
        if (atSeq > parent.LastSeq)
        {
            throw new ValidationException("atSeq", $"must be at most the session's last seq ({parent.LastSeq}).");
        }

        return atSeq;
    }

    /// <summary>
    /// The child of <paramref name="parent"/> made by <paramref name="makeChild"/> from the parent (with
    /// <paramref name="entities"/>) and its <paramref name="lastMessages"/>, and what the store writes with it.
    /// </summary>
    public static DerivedSession Derive(Session parent, string linkType, long atSeq, IReadOnlyList<string> entities,
        IReadOnlyList<SessionEvent> lastMessages, Func<Session, IReadOnlyList<SessionEvent>, Session> makeChild)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(makeChild);
        var fork = linkType == SessionLinkType.Fork;
        var child = makeChild(parent with { Entities = entities }, lastMessages);
        if (fork)
        {
            child = child with { LastSeq = atSeq };
        }

        return new DerivedSession(child, new SessionLink(parent.Id, child.Id, linkType, fork ? atSeq : null, child.CreatedAt), fork ? atSeq : 0);
    }
}
