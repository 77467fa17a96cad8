using System.Text.Json;

namespace Continuum.Json;

/// <summary>The JSON conventions of the API: camelCase, ISO 8601 times, nulls written.</summary>
public static class JsonDefaults
{
    /// <summary>Serializer options every Continuum component uses for the wire format.</summary>
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>An empty JSON object.</summary>
    public static JsonElement EmptyObject { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    private static JsonSerializerOptions Create()
    {
        // Nulls are written: clients read "parentId": null rather than guess at a missing member.
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
