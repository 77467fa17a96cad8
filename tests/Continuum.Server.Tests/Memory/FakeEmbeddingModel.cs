using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Continuum.Server.Tests.Memory;

/// <summary>
/// A stand-in for an OpenAI-compatible embeddings server on loopback, speaking the real /v1/embeddings protocol.
/// Its vectors hash words into 64 dimensions after mapping a few synonyms to one word, so texts that share
/// meaning but no words ("automobile", "car") come out close: enough to tell dense ranking from lexical.
/// It can be told to fail (500).
/// </summary>
public sealed class FakeEmbeddingModel : IAsyncDisposable
{
    private const int Dimensions = 64;

    private static readonly Dictionary<string, string> Synonyms = new(StringComparer.Ordinal)
    {
        ["automobile"] = "car",
        ["vehicle"] = "car",
        ["sedan"] = "car",
        ["physician"] = "doctor",
        ["medic"] = "doctor",
    };

    private readonly WebApplication _app;
    private int _texts;

    private FakeEmbeddingModel(WebApplication app) => _app = app;

    public bool Failing { get; set; }

    /// <summary>When set, the answer leaves out the last text's vector.</summary>
    public bool DropsLastVector { get; set; }

    public int Texts => _texts;

    public string Endpoint { get; private set; } = "";

    public static async Task<FakeEmbeddingModel> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var model = new FakeEmbeddingModel(app);
        app.MapPost("/v1/embeddings", (Delegate)model.HandleAsync);
        await app.StartAsync();
        model.Endpoint = app.Urls.First() + "/v1";
        return model;
    }

    public static float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        foreach (var raw in text.ToLowerInvariant().Split(' ', ',', '.', '?', '!'))
        {
            if (raw.Length < 3)
            {
                continue;
            }

            var word = Synonyms.GetValueOrDefault(raw, raw);
            var hash = 17;
            foreach (var ch in Encoding.UTF8.GetBytes(word))
            {
                hash = unchecked((hash * 31) + ch);
            }

            vector[(hash & 0x7fffffff) % Dimensions] += 1;
        }

        return vector;
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        if (Failing)
        {
            return Results.Json(new { error = new { message = "embedding model overloaded", type = "server_error" } }, statusCode: 500);
        }

        var input = body.RootElement.GetProperty("input");
        var texts = input.ValueKind == JsonValueKind.Array ? input.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [input.GetString() ?? ""];
        Interlocked.Add(ref _texts, texts.Count);
        var answered = DropsLastVector ? texts.Take(texts.Count - 1) : texts;
        return Results.Json(new
        {
            @object = "list",
            data = answered.Select((t, i) => new { @object = "embedding", index = i, embedding = Embed(t) }),
            model = "fake-embed",
            usage = new { prompt_tokens = texts.Count, total_tokens = texts.Count },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
