using System.Globalization;
using Continuum.Errors;
using Continuum.Model;

namespace Continuum.Storage.Sqlite;

/// <summary>The opaque cursor of a session listing: the last item's creation time and id.</summary>
internal static class SessionCursor
{
    public static string Format(Session last) =>
        string.Create(CultureInfo.InvariantCulture, $"{last.CreatedAt.UtcTicks}.{last.Id}");

    public static (long Ticks, string Id) Parse(string cursor)
    {
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(cursor.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            throw new ValidationException("cursor", "is not a cursor this server issued; pass the 'next' of the previous page.");
        }

        return (ticks, cursor[(dot + 1)..]);
    }
}
