using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Continuum.AspNetCore.WebChat;

/// <summary>The page and the embeddable script, plain HTML, CSS and JavaScript embedded in this assembly.</summary>
internal static class WebChatAssets
{
    private static readonly Lazy<string> PageText = new(() => Read("chat.html"));
    private static readonly Lazy<string> ScriptText = new(() => Read("embed.js"));

    public static IResult Page() => new AssetResult(PageText.Value, "text/html; charset=utf-8");

    public static IResult Script() => new AssetResult(ScriptText.Value, "text/javascript; charset=utf-8");

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Continuum.WebChat." + name)
            ?? throw new InvalidOperationException($"The web chat asset '{name}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // Revalidated on every load (no-cache), so a new build's script reaches pages at once; no inline script runs.
    private sealed class AssetResult(string text, string contentType) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.ContentType = contentType;
            response.Headers.CacheControl = "no-cache";
            response.Headers.XContentTypeOptions = "nosniff";
            return response.WriteAsync(text, httpContext.RequestAborted);
        }
    }
}
