using System.Globalization;
using System.Text;

namespace Continuum.Dashboard.Components;

/// <summary>How the pages write numbers, times and small charts.</summary>
internal static class Fmt
{
    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string N(double value, int decimals = 1) => value.ToString("N" + decimals, CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? at) => at is { } t ? Time(t) : "";

    public static string Ms(double value) => value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Short(string? text, int length = 120) =>
        text is null ? "" : text.Length <= length ? text : string.Concat(text.AsSpan(0, length), "…");

    public static string Pct(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string Px(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The URL of <paramref name="path"/> with the non-empty <paramref name="query"/> pairs.</summary>
    public static string Url(string path, params (string Key, string? Value)[] query)
    {
        var builder = new StringBuilder(path);
        var first = true;
        foreach (var (key, value) in query)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            builder.Append(first ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }

        return builder.ToString();
    }

    /// <summary>A colour per part name, the same on every page.</summary>
    public static string Color(string part) => part switch
    {
        "carriedOver" or "telegram" => "#2481cc",
        "summaries" or "web" => "#1a7f37",
        "memories" or "cli" => "#6e40c9",
        "entities" or "discord" => "#d4a72c",
        "recent" or "api" => "#cf222e",
        "agent" => "#bf5700",
        _ => "#57606a",
    };
}
