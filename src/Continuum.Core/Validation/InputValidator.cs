using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Continuum.Errors;
using Continuum.Json;

namespace Continuum.Validation;

/// <summary>The checks every input goes through before it reaches a store.</summary>
public static partial class InputValidator
{
    /// <summary>The longest identifier (ids, external user ids, idempotency keys, names).</summary>
    public const int MaxIdentifierLength = 256;

    /// <summary>The longest title.</summary>
    public const int MaxTitleLength = 500;

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$")]
    private static partial Regex InterfacePattern();

    /// <summary>An interface name: lower-case letters, digits, '-' or '_', starting with a letter, at most 32.</summary>
    public static string Interface(string? value, string field = "interface")
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ValidationException(field, "is required.");
        }

        if (!InterfacePattern().IsMatch(value))
        {
            throw new ValidationException(field, "must be 1 to 32 lower-case letters, digits, '-' or '_', starting with a letter (e.g. telegram, web, cli).");
        }

        return value;
    }

    /// <summary>A required identifier: 1 to 256 characters, no control characters.</summary>
    public static string Identifier(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ValidationException(field, "is required.");
        }

        return OptionalIdentifier(value, field)!;
    }

    /// <summary>An optional identifier: null, or 1 to 256 characters with no control characters.</summary>
    public static string? OptionalIdentifier(string? value, string field)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length == 0 || value.Length > MaxIdentifierLength)
        {
            throw new ValidationException(field, $"must be 1 to {MaxIdentifierLength} characters.");
        }

        if (value.Any(char.IsControl) || value.Trim().Length != value.Length)
        {
            throw new ValidationException(field, "must not contain control characters or leading or trailing spaces.");
        }

        if (JsonValueCheck.TextProblem(value) is { } problem)
        {
            throw new ValidationException(field, problem);
        }

        return value;
    }

    /// <summary>An optional title of at most 500 characters.</summary>
    public static string? Title(string? value)
    {
        if (value is not null && value.Length > MaxTitleLength)
        {
            throw new ValidationException("title", $"must be at most {MaxTitleLength} characters.");
        }

        return value;
    }

    /// <summary>One of <paramref name="allowed"/>, or <paramref name="fallback"/> when absent.</summary>
    public static string OneOf(string? value, IReadOnlyList<string> allowed, string field, string? fallback = null)
    {
        if (value is null && fallback is not null)
        {
            return fallback;
        }

        if (value is null || !allowed.Contains(value))
        {
            throw new ValidationException(field, $"must be one of: {string.Join(", ", allowed)}.");
        }

        return value;
    }

    /// <summary>Text that is present and at most <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    public static string Content(string? value, int maxBytes, string field = "content")
    {
        if (value is null)
        {
            throw new ValidationException(field, "is required.");
        }

        if (JsonValueCheck.TextProblem(value) is { } problem)
        {
            throw new ValidationException(field, problem);
        }

        // Most text is far below the limit in characters; count bytes only when it could be over.
        if (value.Length * 3 > maxBytes)
        {
            var bytes = Encoding.UTF8.GetByteCount(value);
            if (bytes > maxBytes)
            {
                throw new PayloadTooLargeException(field, bytes, maxBytes);
            }
        }

        return value;
    }

    /// <summary>
    /// An optional JSON object of at most <paramref name="maxBytes"/>; returns its raw text, or null when absent
    /// or JSON null.
    /// </summary>
    public static string? JsonObject(JsonElement? value, int maxBytes, string field)
    {
        if (value is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException(field, "must be a JSON object.");
        }

        return JsonValue(element, maxBytes, field);
    }

    /// <summary>
    /// Any JSON value of at most <paramref name="maxBytes"/> that can be stored and read back (see
    /// <see cref="JsonValueCheck"/>); returns its raw text.
    /// </summary>
    public static string JsonValue(JsonElement value, int maxBytes, string field)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            throw new ValidationException(field, "is required.");
        }

        JsonValueCheck.Validate(value, field);
        var raw = value.GetRawText();
        var bytes = Encoding.UTF8.GetByteCount(raw);
        if (bytes > maxBytes)
        {
            throw new PayloadTooLargeException(field, bytes, maxBytes);
        }

        return raw;
    }

    /// <summary>
    /// A search's metadata filter: member names that are identifiers (no control characters) and values that
    /// are well-formed JSON.
    /// </summary>
    public static IReadOnlyDictionary<string, JsonElement>? MetadataFilter(IReadOnlyDictionary<string, JsonElement>? filter, string field = "metadata")
    {
        if (filter is null)
        {
            return null;
        }

        foreach (var (key, value) in filter)
        {
            if (string.IsNullOrEmpty(key) || key.Length > MaxIdentifierLength || key.Any(char.IsControl) || JsonValueCheck.TextProblem(key) is not null)
            {
                throw new ValidationException(field, $"member names must be 1 to {MaxIdentifierLength} characters of well-formed text without control characters.");
            }

            JsonValueCheck.Validate(value, $"{field}.{key}");
        }

        return filter;
    }

    /// <summary>The items of an optional list, each required: a <c>null</c> item is a 400 naming its index.</summary>
    public static IReadOnlyList<T> Items<T>(IEnumerable<T?>? items, string field)
        where T : class
    {
        var list = new List<T>();
        foreach (var item in items ?? [])
        {
            list.Add(item ?? throw new ValidationException($"{field}[{list.Count}]", "must not be null."));
        }

        return list;
    }

    /// <summary>A whole number in a range.</summary>
    public static T Range<T>(T value, T min, T max, string field)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            throw new ValidationException(field, $"must be between {min} and {max}.");
        }

        return value;
    }
}
