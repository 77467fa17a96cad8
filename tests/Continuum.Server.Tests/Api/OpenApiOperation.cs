using System.Text.Json.Nodes;

namespace Continuum.Server.Tests.Api;

/// <summary>One operation of the served OpenAPI document, as the suites that walk every operation need it.</summary>
public sealed record OpenApiOperation(string Method, string Path, IReadOnlyList<string> PathParameters, IReadOnlyList<string> QueryParameters, JsonNode? Body, JsonObject Document)
{
    /// <summary>True for an operation that writes; a search sends its query as a body but only reads.</summary>
    public bool IsWrite => Method is not ("GET" or "HEAD") && Path != "/api/search";

    /// <summary>True for registering an agent.</summary>
    public bool IsAgentRegistration => Method == "PUT" && Path == "/api/agents/{sessionId}";

    /// <summary>Every operation of <paramref name="document"/>, in the document's order.</summary>
    public static List<OpenApiOperation> All(JsonObject document)
    {
        var operations = new List<OpenApiOperation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (operation is not JsonObject op || method is "parameters")
                {
                    continue;
                }

                var parameters = (op["parameters"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                var body = op["requestBody"]?["content"]?.AsObject().Select(c => c.Value?["schema"]).FirstOrDefault();
                operations.Add(new OpenApiOperation(
                    method.ToUpperInvariant(),
                    path,
                    [.. parameters.Where(p => (string?)p["in"] == "path").Select(p => (string)p["name"]!)],
                    [.. parameters.Where(p => (string?)p["in"] == "query").Select(p => (string)p["name"]!)],
                    op["requestBody"] is null ? null : body ?? new JsonObject(),
                    document));
            }
        }

        return operations;
    }

    /// <summary>Follows <c>$ref</c>s from <paramref name="schema"/> to the schema they name.</summary>
    public static JsonNode? Resolve(JsonNode? schema, JsonObject document)
    {
        for (var i = 0; i < 10 && schema is JsonObject s && s["$ref"] is JsonValue reference; i++)
        {
            JsonNode? node = document;
            foreach (var part in ((string)reference!).TrimStart('#', '/').Split('/'))
            {
                node = node?[part];
            }

            schema = node;
        }

        return schema;
    }
}
