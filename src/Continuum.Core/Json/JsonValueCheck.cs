using System.Runtime.InteropServices;
using System.Text.Json;
using Continuum.Errors;

namespace Continuum.Json;

/// <summary>
/// The one check every JSON value a client sends goes through before it is stored: each string and member name
/// must be well-formed text (no lone surrogate, valid UTF-8), must not hold U+0000 (PostgreSQL's <c>jsonb</c>
/// cannot store it), and no object may name a member twice. What passes can always be read back and
/// written out again; what fails is a <see cref="ValidationException"/> naming where the value is broken.
/// </summary>
public static class JsonValueCheck
{
    /// <summary>Throws a <see cref="ValidationException"/> for <paramref name="field"/> when <paramref name="value"/> could not be stored and read back.</summary>
    public static void Validate(JsonElement value, string field)
    {
        if (Find(value, field) is { } problem)
        {
            throw new ValidationException(problem.Path, problem.Message);
        }
    }

    /// <summary>The first place <paramref name="value"/> cannot be stored and read back, or null when it can.</summary>
    public static (string Path, string Message)? Find(JsonElement value, string path) =>
        IsPlain(value) ? null : FindNamingPath(value, path);

    // Members compared by their raw bytes, as long as an object has at most this many.
    private const int PlainMembers = 16;

    // True when the value needs no closer look, decided on its raw UTF-8 without allocating: member names unescaped
    // and unique in their object, strings valid UTF-8 (which holds no lone surrogate) without escapes, or with
    // escapes that decode to clean text. Anything else takes the walk that names where the fault is.
    private static bool IsPlain(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in value.EnumerateObject())
                {
                    var name = Unquoted(JsonMarshal.GetRawUtf8PropertyName(property));
                    if (count == PlainMembers || !IsPlainText(name))
                    {
                        return false;
                    }

                    // Earlier names are compared by re-reading them: small objects only, so this stays cheap.
                    var index = 0;
                    foreach (var earlier in value.EnumerateObject())
                    {
                        if (index++ == count)
                        {
                            break;
                        }

                        if (earlier.NameEquals(name))
                        {
                            return false;
                        }
                    }

                    count++;
                    if (!IsPlain(property.Value))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (!IsPlain(item))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.String:
                return IsPlainText(Unquoted(JsonMarshal.GetRawUtf8Value(value))) || TextProblem(value) is null;
            default:
                return true;
        }
    }

    private static ReadOnlySpan<byte> Unquoted(ReadOnlySpan<byte> raw) =>
        raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"' ? raw[1..^1] : raw;

    // No escape, no NUL byte, valid UTF-8.
    private static bool IsPlainText(ReadOnlySpan<byte> raw) =>
        raw.IndexOfAny((byte)'\\', (byte)0) < 0 && System.Text.Unicode.Utf8.IsValid(raw);

    private static (string Path, string Message)? FindNamingPath(JsonElement value, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    if (TextProblem(property, out var name) is { } nameProblem)
                    {
                        // The name itself is left out of the path: it is what cannot be written.
                        return (path, "has a member name that " + nameProblem);
                    }

                    if (!names.Add(name))
                    {
                        return ($"{path}.{name}", "is named twice in the same object; each member name must be unique.");
                    }

                    if (FindNamingPath(property.Value, $"{path}.{name}") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (FindNamingPath(item, $"{path}[{index}]") is { } inner)
                    {
                        return inner;
                    }

                    index++;
                }

                return null;
            case JsonValueKind.String:
                return TextProblem(value) is { } problem ? (path, problem) : null;
            default:
                return null;
        }
    }

    /// <summary>What is wrong with <paramref name="text"/> as stored text, or null when nothing is.</summary>
    public static string? TextProblem(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return "must not contain NUL characters (U+0000).";
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"must be well-formed text: it holds a lone surrogate (U+{(int)c:X4}).";
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="text"/> holds a surrogate that is not half of a pair (text that cannot be encoded as UTF-8).</summary>
    public static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string? TextProblem(JsonElement value)
    {
        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return "must be well-formed text (valid UTF-8, no lone surrogate).";
        }

        return TextProblem(text);
    }

    private static string? TextProblem(JsonProperty property, out string name)
    {
        try
        {
            name = property.Name;
        }
        catch (InvalidOperationException)
        {
            name = "?";
            return "is not well-formed text (valid UTF-8, no lone surrogate).";
        }

        return TextProblem(name);
    }
}
