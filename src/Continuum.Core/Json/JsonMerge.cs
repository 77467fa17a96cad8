using System.Text.Json;
using System.Text.Json.Nodes;

namespace Continuum.Json;

/// <summary>JSON Merge Patch (RFC 7386) over immutable <see cref="JsonElement"/> values.</summary>
public static class JsonMerge
{
    /// <summary>
    /// Returns <paramref name="target"/> with <paramref name="patch"/> merged in: members of the patch replace
    /// the target's, objects merge recursively, and a null member removes the target's member.
    /// </summary>
    public static JsonElement Apply(JsonElement target, JsonElement patch)
    {
        var merged = Merge(JsonNode.Parse(target.GetRawText()), patch);
        return JsonSerializer.SerializeToElement(merged);
    }

    private static JsonNode? Merge(JsonNode? target, JsonElement patch)
    {
        if (patch.ValueKind != JsonValueKind.Object)
        {
            return JsonNode.Parse(patch.GetRawText());
        }

        var result = target as JsonObject ?? [];
        foreach (var member in patch.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.Null)
            {
                result.Remove(member.Name);
                continue;
            }

            result.TryGetPropertyValue(member.Name, out var existing);
            var value = Merge(existing?.DeepClone(), member.Value);
            result[member.Name] = value;
        }

        return result;
    }
}
