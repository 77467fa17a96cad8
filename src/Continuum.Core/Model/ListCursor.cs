using System.Globalization;
using Continuum.Errors;

namespace Continuum.Model;

/// <summary>
/// The opaque cursor of a listing: the last item's sort key (a time in UTC ticks, or 0 for a listing by name) and
/// its id (or name), the tie-breaker. The next page starts strictly after it in the listing's order, so items
/// written meanwhile never shift a page the way an offset would. Written <c>ticks.id</c>, as the session cursor.
/// </summary>
/// <param name="Position">The sort key: a time in UTC ticks, or 0 when the listing is ordered by <paramref name="Id"/> alone.</param>
/// <param name="Id">The last item's id or name.</param>
public readonly record struct ListCursor(long Position, string Id)
{
    /// <summary>The cursor after an item sorted by time, then id.</summary>
    public static ListCursor After(DateTimeOffset time, string id) => new(time.UtcTicks, id);

    /// <summary>The cursor after an item sorted by name alone.</summary>
    public static ListCursor AfterName(string name) => new(0, name);

    /// <summary>The sort key as a time.</summary>
    public DateTimeOffset Time => new(Position, TimeSpan.Zero);

    /// <summary>Reads a cursor this server issued; null for none; a validation error (400) for anything else.</summary>
    public static ListCursor? Parse(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == cursor.Length - 1 || !long.TryParse(cursor.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            || position > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new ValidationException("cursor", "is not a cursor this server issued; pass the 'next' of the previous page.");
        }

        return new ListCursor(position, cursor[(dot + 1)..]);
    }

    /// <summary>
    /// One page out of <paramref name="fetched"/>, which a store read with a limit of <paramref name="limit"/> + 1:
    /// the first <paramref name="limit"/> items, and a cursor after the last of them when there were more.
    /// </summary>
    public static Page<T> Page<T>(IReadOnlyList<T> fetched, int limit, Func<T, ListCursor> cursorOf)
    {
        ArgumentNullException.ThrowIfNull(fetched);
        ArgumentNullException.ThrowIfNull(cursorOf);
        return fetched.Count <= limit
            ? new Page<T>(fetched, null)
            : new Page<T>([.. fetched.Take(limit)], cursorOf(fetched[limit - 1]).ToString());
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Position}.{Id}");
}
