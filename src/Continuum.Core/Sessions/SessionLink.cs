using Continuum.Storage;

namespace Continuum.Sessions;

/// <summary>A typed link from one session to another.</summary>
/// <param name="FromSessionId">The earlier session (the parent, the one handing over).</param>
/// <param name="ToSessionId">The later session.</param>
/// <param name="Type">One of <see cref="SessionLinkType"/>.</param>
/// <param name="AtSeq">For a fork, the parent's seq it branched at.</param>
/// <param name="CreatedAt">When the link was made.</param>
public sealed record SessionLink(string FromSessionId, string ToSessionId, string Type, long? AtSeq, DateTimeOffset CreatedAt)
{
    /// <summary>
    /// The cursor after <paramref name="link"/> in a session's links (by creation time, then the two session ids):
    /// its creation ticks, and its two ids separated by a space, which no session id holds.
    /// </summary>
    public static ListCursor CursorAfter(SessionLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        return ListCursor.After(link.CreatedAt, $"{link.FromSessionId} {link.ToSessionId}");
    }

    /// <summary>The two session ids a links cursor carries (from, to); the key alone and an empty id when it holds no space.</summary>
    public static (string From, string To) CursorIds(ListCursor cursor)
    {
        var space = cursor.Id.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (cursor.Id, "") : (cursor.Id[..space], cursor.Id[(space + 1)..]);
    }
}
