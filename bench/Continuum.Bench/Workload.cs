using System.Text;
using System.Text.Json;

namespace Continuum.Bench;

/// <summary>The appended message: about 100 bytes of plain lowercase text (no entities for the extractor to count).</summary>
internal static class Workload
{
    public const int ContentBytes = 100;

    public static string Content(int client)
    {
        var text = $"client {client:D3} says: the nightly build finished and the report is ready, please take a look when you can ";
        while (text.Length < ContentBytes)
        {
            text += text;
        }

        return text[..ContentBytes];
    }

    /// <summary>The body of <c>POST /api/sessions/{id}/events</c>.</summary>
    public static byte[] EventBody(int client) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["role"] = "user", ["content"] = Content(client) });

    /// <summary>The body of <c>POST /api/sessions</c> opening a new session for its own user.</summary>
    public static byte[] OpenSessionBody(string externalUserId) => Encoding.UTF8.GetBytes(
        $$"""{"interface":"api","identity":{"interface":"api","externalUserId":"{{externalUserId}}"},"mode":"new"}""");
}
