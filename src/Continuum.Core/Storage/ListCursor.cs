using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Continuum.Errors;

namespace Continuum.Storage;

/// <summary>
/// The one opaque cursor of every listing: the last item's position in the listing's order and its key, the
/// tie-breaker. A listing by time carries UTC ticks and an id, a listing by name carries 0 and the name, a listing
/// by sequence carries the number and an empty key. The next page starts strictly after it in the listing's order,
/// so items written meanwhile never shift a page the way an offset would. On the wire it is the base64url of
/// <c>position.key</c>; clients only pass back the <c>next</c> they were given.
/// </summary>
/// <param name="Position">The sort key: UTC ticks, a sequence number, or 0 when the listing is ordered by <paramref name="Id"/> alone.</param>
/// <param name="Id">The last item's id or name; empty for a listing by sequence alone.</param>
public readonly record struct ListCursor(long Position, string Id)
{
    /// <summary>The longest cursor text accepted; a longer one cannot have been issued.</summary>
    public const int MaxLength = 1024;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The cursor after an item sorted by time, then id.</summary>
    public static ListCursor After(DateTimeOffset time, string id) => new(time.UtcTicks, id);

    /// <summary>The cursor after an item sorted by name alone.</summary>
    public static ListCursor AfterName(string name) => new(0, name);

    /// <summary>The cursor after an item sorted by a sequence number alone (a position, an id, a version).</summary>
    public static ListCursor AfterNumber(long number) => new(number, "");

    /// <summary>The sort key as a time.</summary>
    public DateTimeOffset Time => new(Position, TimeSpan.Zero);

    /// <summary>Reads a cursor this server issued; null for none.</summary>
    /// <exception cref="ValidationException">The text is not a cursor this server issued (a 400 on <c>cursor</c>).</exception>
    public static ListCursor? Parse(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        string text;
        try
        {
            text = cursor.Length is > 0 and <= MaxLength ? Strict.GetString(Base64Url.DecodeFromChars(cursor)) : throw Invalid();
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            throw Invalid();
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            || position > DateTimeOffset.MaxValue.UtcTicks || text.AsSpan(dot + 1).ContainsAnyInRange('\0', '\u001f'))
        {
            throw Invalid();
        }

        return new ListCursor(position, text[(dot + 1)..]);
    }

    /// <summary>The sequence number a cursor carries; 0 (before the first item) for none.</summary>
    /// <exception cref="ValidationException">The text is not a cursor this server issued.</exception>
    public static long NumberOf(string? cursor) => Parse(cursor)?.Position ?? 0;

    /// <summary>
    /// One page out of <paramref name="fetched"/>, which a store read with a limit of <paramref name="limit"/> + 1:
    /// the first <paramref name="limit"/> items, and a cursor after the last of them when there were more.
    /// </summary>
    public static Page<T> Page<T>(IReadOnlyList<T> fetched, int limit, Func<T, ListCursor> cursorOf)
    {
        ArgumentNullException.ThrowIfNull(fetched);
        ArgumentNullException.ThrowIfNull(cursorOf);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return fetched.Count <= limit
            ? new Page<T>(fetched, null)
            : new Page<T>([.. fetched.Take(limit)], cursorOf(fetched[limit - 1]).ToString());
    }

    /// <summary>The cursor as the client sees it: opaque text, safe in a query string.</summary>
    public override string ToString() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Position}.{Id}")));

    private static ValidationException Invalid() => new("cursor", "is not a cursor this server issued; pass the 'next' of the previous page.");
}
