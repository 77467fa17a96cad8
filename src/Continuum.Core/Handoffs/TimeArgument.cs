using System.Globalization;
using Continuum.Errors;

namespace Continuum.Handoffs;

/// <summary>Reads the times of the timeline: an ISO 8601 date and time, or a date meaning its whole day (UTC).</summary>
public static class TimeArgument
{
    /// <summary>
    /// Parses <paramref name="text"/>; a bare date (<c>2025-11-15</c>) is the start of that day, or its last
    /// instant when <paramref name="endOfDay"/> is set, so <c>from=D&amp;to=D</c> is the whole day D.
    /// </summary>
    public static DateTimeOffset? Parse(string? text, string field, bool endOfDay = false)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddDays(1).AddTicks(-1) : start;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUniversalTime()
            : throw new ValidationException(field, $"'{text}' is not a date (2025-11-15) or a date and time (2025-11-15T20:00:00Z).");
    }
}
