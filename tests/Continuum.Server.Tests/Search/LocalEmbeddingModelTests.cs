using System.Net.Http.Json;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Continuum.Embeddings.Local;
using Continuum.Server.Tests.Api;

namespace Continuum.Server.Tests.Search;

/// <summary>The embedded model itself (the real ONNX model inside the package): few tests, small inputs.</summary>
public sealed class LocalEmbeddingModelTests
{
    [Fact]
    public async Task The_local_model_loads_on_first_use_and_puts_a_query_closer_to_its_answer_than_to_other_turns()
    {
        using var generator = new LocalEmbeddingGenerator(threads: 1);
        generator.IsLoaded.ShouldBeFalse();

        var passages = await generator.GenerateAsync(["Caroline: I moved to Oslo last spring for a new job.", "Melanie: The dog knocked over the paint again.", "Caroline: Pottery class was fun, I made a bowl."]);
        var query = await generator.GenerateAsync([LocalEmbeddingGenerator.QueryPrefix + "Which city did Caroline relocate to?"]);

        generator.IsLoaded.ShouldBeTrue();
        passages.Count.ShouldBe(3);
        foreach (var p in passages)
        {
            p.Vector.Length.ShouldBe(LocalEmbeddingGenerator.Dimensions);
            TensorPrimitives.Norm(p.Vector.Span).ShouldBe(1f, 0.001f);
        }

        var scores = passages.Select(p => TensorPrimitives.Dot(query[0].Vector.Span, p.Vector.Span)).ToList();
        scores[0].ShouldBeGreaterThan(scores[1]);
        scores[0].ShouldBeGreaterThan(scores[2]);

        // Order within a call does not change a text's vector (texts are grouped by length inside).
        var again = await generator.GenerateAsync(["Caroline: Pottery class was fun, I made a bowl.", "Caroline: I moved to Oslo last spring for a new job."]);
        TensorPrimitives.Dot(again[1].Vector.Span, passages[0].Vector.Span).ShouldBe(1f, 0.001f);
    }

    [Fact]
    public async Task A_server_on_the_default_provider_finds_meaning_with_the_local_model_and_writes_nothing_under_the_home_cache()
    {
        var root = Path.Combine(Path.GetTempPath(), "continuum-local-" + Guid.NewGuid().ToString("N"));
        var home = Path.Combine(root, "home");
        Directory.CreateDirectory(home);
        try
        {
            await using (var server = await ServerProcess.StartAsync(Path.Combine(root, "data"), new Dictionary<string, string>
            {
                ["HOME"] = home,
                ["XDG_CACHE_HOME"] = Path.Combine(home, ".cache"),
                // The default provider: what a server with nothing configured uses.
                ["Continuum__Models__Embeddings__Provider"] = "",
            }))
            {
                var session = await (await server.Http.PostAsJsonAsync("api/sessions", new { identity = new { @interface = "web", externalUserId = "local-1" }, @interface = "web", mode = "new" })).Content.ReadFromJsonAsync<JsonObject>();
                var sessionId = (string)session!["id"]!;
                var userId = (string)session["userId"]!;
                foreach (var text in (string[])["I finally bought a new car last Saturday, a blue hatchback.", "The kitchen sink is leaking again.", "Booked the dentist for Thursday morning."])
                {
                    (await server.Http.PostAsJsonAsync($"api/sessions/{sessionId}/events", new { role = "user", content = text })).EnsureSuccessStatusCode();
                }

                // "automobile" is in no event: only the vectors can find the car.
                JsonArray? results = null;
                for (var i = 0; i < 600 && results is null; i++)
                {
                    var found = await (await server.Http.PostAsJsonAsync("api/search", new { userId, query = "automobile purchase" })).Content.ReadFromJsonAsync<JsonObject>();
                    if (found!["results"]!.AsArray() is { Count: > 0 } r && r[0]!["why"]!["rankers"]!.AsArray().Any(x => (string)x!["ranker"]! == "vector"))
                    {
                        results = r;
                    }
                    else
                    {
                        await Task.Delay(100);
                    }
                }

                results.ShouldNotBeNull($"no vector hit within 60 s; server said: {server.Output}");
                ((string)results[0]!["content"]!).ShouldContain("car");
            }

            // ONNX Runtime's telemetry would leave a device id and an event queue under ~/.cache.
            var written = Directory.EnumerateFileSystemEntries(home, "*", SearchOption.AllDirectories).ToList();
            written.Where(p => p.Contains(".cache", StringComparison.Ordinal) || p.Contains("onnx", StringComparison.OrdinalIgnoreCase)).ShouldBeEmpty(string.Join(", ", written));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
