using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Continuum.Errors;

namespace Continuum.Agents;

/// <summary>The opaque <c>cursor</c>/<c>next</c> values of the agent listings, and the page cut they stand for.</summary>
internal static class ListCursor
{
    /// <summary>A cursor carrying a position, id or version.</summary>
    public static string Of(long value) => Of(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A cursor carrying a text key.</summary>
    public static string Of(string value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(value));

    /// <summary>The position a cursor carries; 0 for none; a validation error for a cursor no listing gave out.</summary>
    public static long Number(string? cursor) =>
        cursor is null ? 0
        : long.TryParse(Text(cursor), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw Invalid();

    /// <summary>The key a cursor carries; null for none; a validation error for a cursor no listing gave out.</summary>
    public static string? Text(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        try
        {
            return cursor.Length is > 0 and <= 1024 ? Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)) : throw Invalid();
        }
        catch (FormatException)
        {
            throw Invalid();
        }
    }

    /// <summary>A page of <paramref name="limit"/> items cut from <paramref name="rows"/>, which hold one row more when there is a next page.</summary>
    public static Model.Page<T> Cut<T>(IReadOnlyList<T> rows, int limit, Func<T, string> cursorOf) =>
        rows.Count > limit ? new([.. rows.Take(limit)], cursorOf(rows[limit - 1])) : new(rows, null);

    private static ValidationException Invalid() => new("cursor", "is not a cursor this listing gave out: pass the 'next' of the page before.");
}
