using System.Globalization;
using System.Text.Json;

namespace Continuum.Lifecycle;

/// <summary>Writes and reads the lines of an export (<see cref="ExportFormat"/>).</summary>
public static class ExportLines
{
    /// <summary>Writes the header: format, version, scope and when.</summary>
    public static void WriteHeader(Utf8JsonWriter writer, ExportScope scope, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(scope);
        writer.WriteStartObject();
        writer.WriteString("format", ExportFormat.Name);
        writer.WriteNumber("version", ExportFormat.Version);
        writer.WriteString("scope", scope.Kind);
        writer.WriteString("id", scope.Id);
        writer.WriteString("exportedAt", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        writer.WriteEndObject();
    }

    /// <summary>Writes one record as <c>{"kind": …, "row": {…}}</c>.</summary>
    public static void WriteRow(Utf8JsonWriter writer, ExportRow row)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(row);
        writer.WriteStartObject();
        writer.WriteString("kind", row.Kind.Name);
        writer.WriteStartObject("row");
        var columns = row.Kind.Columns;
        for (var i = 0; i < columns.Count; i++)
        {
            writer.WritePropertyName(columns[i].Name);
            switch (row.Values[i])
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case string json when columns[i].Type is ExportColumnType.Json or ExportColumnType.Jsonb:
                    // Stored JSON is written as it is, unless it holds a line break (one record a line): then compacted.
                    if (json.AsSpan().IndexOfAny('\n', '\r') >= 0)
                    {
                        using var document = JsonDocument.Parse(json);
                        document.RootElement.WriteTo(writer);
                    }
                    else
                    {
                        writer.WriteRawValue(json, skipInputValidation: true);
                    }

                    break;
                case string text:
                    writer.WriteStringValue(text);
                    break;
                case long number:
                    writer.WriteNumberValue(number);
                    break;
                case double real:
                    writer.WriteNumberValue(real);
                    break;
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    break;
                default:
                    throw new InvalidOperationException($"{row.Kind.Name}.{columns[i].Name} holds a {row.Values[i]!.GetType().Name}.");
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Checks the header line; the problem with it, or null when it is one this build reads.</summary>
    public static string? CheckHeader(JsonElement header)
    {
        if (header.ValueKind != JsonValueKind.Object || !header.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != ExportFormat.Name)
        {
            return $"is not an export header: the first line must be {{\"format\":\"{ExportFormat.Name}\",\"version\":{ExportFormat.Version},...}}.";
        }

        return header.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.Number && version.TryGetInt32(out var v) && v == ExportFormat.Version
            ? null
            : $"has a version this build does not read (it reads version {ExportFormat.Version}).";
    }

    /// <summary>Reads a record line; the problem with it in <paramref name="problem"/> when it is not a valid record.</summary>
    public static ExportRow? ReadRow(JsonElement line, out string? problem)
    {
        problem = null;
        if (line.ValueKind != JsonValueKind.Object || !line.TryGetProperty("kind", out var kindName) || kindName.ValueKind != JsonValueKind.String)
        {
            problem = "is not a record: expected {\"kind\": ..., \"row\": {...}}.";
            return null;
        }

        if (ExportFormat.Find(kindName.GetString()!) is not { } kind)
        {
            problem = $"has an unknown kind '{kindName.GetString()}'.";
            return null;
        }

        if (!line.TryGetProperty("row", out var row) || row.ValueKind != JsonValueKind.Object)
        {
            problem = "has no row object.";
            return null;
        }

        var values = new object?[kind.Columns.Count];
        var seen = 0;
        for (var i = 0; i < kind.Columns.Count; i++)
        {
            var column = kind.Columns[i];
            if (!row.TryGetProperty(column.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                seen += row.TryGetProperty(column.Name, out _) ? 1 : 0;
                if (!column.Nullable)
                {
                    problem = $"{kind.Name}.{column.Name} is required.";
                    return null;
                }

                continue;
            }

            seen++;
            values[i] = column.Type switch
            {
                ExportColumnType.Text when value.ValueKind == JsonValueKind.String && !value.GetString()!.Contains('\0', StringComparison.Ordinal) => value.GetString(),
                ExportColumnType.WholeNumber when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) => n,
                ExportColumnType.Real when value.ValueKind == JsonValueKind.Number => value.GetDouble(),
                ExportColumnType.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False => value.GetBoolean(),
                ExportColumnType.Json or ExportColumnType.Jsonb when !value.GetRawText().Contains("\\u0000", StringComparison.Ordinal) => value.GetRawText(),
                _ => null,
            };
            if (values[i] is null)
            {
                problem = $"{kind.Name}.{column.Name} must be {Describe(column.Type)}.";
                return null;
            }
        }

        var members = 0;
        foreach (var member in row.EnumerateObject())
        {
            members++;
            if (!kind.Columns.Any(c => c.Name == member.Name))
            {
                problem = $"{kind.Name} has no column '{member.Name}'.";
                return null;
            }
        }

        if (members != seen)
        {
            problem = $"{kind.Name} names a column twice.";
            return null;
        }

        return new ExportRow(kind, values);
    }

    private static string Describe(ExportColumnType type) => type switch
    {
        ExportColumnType.Text => "a string without NUL",
        ExportColumnType.WholeNumber => "an integer",
        ExportColumnType.Real => "a number",
        ExportColumnType.Boolean => "true or false",
        _ => "a JSON value without NUL",
    };
}
