using System.Globalization;
using Continuum.Errors;

namespace Continuum.Dashboard.Components;

/// <summary>
/// Reads a whole-number query value a page was given as text, so that a value that is not a number is a 400
/// problem naming the parameter rather than the framework's parse failure (a 500).
/// </summary>
internal static class QueryNumber
{
    /// <summary>The number in <paramref name="text"/>, null when it is absent or empty.</summary>
    public static long? Parse(string? text, string name, long minimum = 0, long maximum = long.MaxValue) =>
        string.IsNullOrWhiteSpace(text) ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum ? value
        : throw new ValidationException(name, $"must be a whole number from {minimum} to {maximum}.");
}
