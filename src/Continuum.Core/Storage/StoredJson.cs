using System.Text.Json;
using Continuum.Json;

namespace Continuum.Storage;

/// <summary>JSON as the stores keep it: values and string arrays stored as text.</summary>
public static class StoredJson
{
    /// <summary>A JSON value stored as text.</summary>
    public static JsonElement ParseElement(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>A JSON array of strings stored as text.</summary>
    public static IReadOnlyList<string> ParseList(string json) =>
        json == "[]" ? [] : JsonSerializer.Deserialize<string[]>(json, JsonDefaults.Options) ?? [];
}
