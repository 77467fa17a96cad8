using System.Globalization;
using Continuum.Errors;
using Continuum.Model;

namespace Continuum.Storage;

/// <summary>
/// The opaque cursor of a session listing (newest first): the last item's creation time and id. The next page
/// holds the sessions created before it, or at the same time with a smaller id, so paging has no gap or repeat
/// even when sessions share a creation time.
/// </summary>
/// <param name="CreatedTicks">The last item's creation time, as UTC ticks.</param>
/// <param name="Id">The last item's id.</param>
public readonly record struct SessionCursor(long CreatedTicks, string Id)
{
    /// <summary>The cursor after <paramref name="last"/>.</summary>
    public static SessionCursor After(Session last)
    {
        ArgumentNullException.ThrowIfNull(last);
        return new SessionCursor(last.CreatedAt.UtcTicks, last.Id);
    }

    /// <summary>Reads a cursor this server issued.</summary>
    /// <exception cref="ValidationException">The text is not one.</exception>
    public static SessionCursor Parse(string cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == cursor.Length - 1 || !long.TryParse(cursor.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            throw new ValidationException("cursor", "is not a cursor this server issued; pass the 'next' of the previous page.");
        }

        return new SessionCursor(ticks, cursor[(dot + 1)..]);
    }

    /// <summary>
    /// The page of a listing read with one row more than <paramref name="limit"/>: that extra row says there is a
    /// next page, whose cursor follows the last item kept.
    /// </summary>
    public static Page<Session> Page(List<Session> items, int limit)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count <= limit)
        {
            return new Page<Session>(items, null);
        }

        items.RemoveRange(limit, items.Count - limit);
        return new Page<Session>(items, After(items[^1]).ToString());
    }

    /// <summary>The cursor as the client sees it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{CreatedTicks}.{Id}");
}
