using System.Net;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;

namespace Continuum.Server.Tests.Memory;

public sealed class EmbeddingSearchTests
{
    [Fact]
    public async Task With_an_embedding_model_search_is_hybrid_and_finds_meaning_that_shares_no_words()
    {
        await using var model = await FakeEmbeddingModel.StartAsync();
        await using var server = await ApiServer.StartAsync("--Continuum:Models:Embeddings:Provider", "openai", "--Continuum:Models:Embeddings:Endpoint", model.Endpoint, "--Continuum:Models:Embeddings:Model", "fake-embed");
        var session = await server.OpenSessionAsync("web", "dense-1");
        var sessionId = (string)session["id"]!;
        var userId = (string)session["userId"]!;
        await server.AppendAsync(sessionId, "I finally bought a new car last Saturday, a blue hatchback.");
        await server.AppendAsync(sessionId, "The kitchen sink is leaking again.");
        await server.AppendAsync(sessionId, "Booked the dentist for Thursday morning.");

        // "automobile" is not in any event: only the vectors can find the car.
        var results = await WaitForRankerAsync(server, new { userId, query = "automobile purchase" }, "vector");
        var top = results[0]!;
        ((string)top["content"]!).ShouldContain("car");
        // Only the dense views rank it: the turn's vector and the neighbourhood vector of the pair it starts.
        top["why"]!["rankers"]!.AsArray().Select(r => (string)r!["ranker"]!).ShouldContain("vector");
        top["why"]!["rankers"]!.AsArray().Select(r => (string)r!["ranker"]!).ShouldBeSubsetOf(["vector", "neighborhood"]);
        ((double)top["why"]!["rankers"]![0]!["score"]!).ShouldBeGreaterThan(0);

        // Both rankers fuse when words match too, once every event has its vectors (the indexer may have embedded
        // the car's turn before the sink's).
        await WaitForIndexAsync(server);
        var hybrid = await server.PostOkAsync("api/search", new { userId, query = "kitchen sink leaking" }, HttpStatusCode.OK);
        ((string)hybrid["results"]![0]!["content"]!).ShouldContain("sink");
        hybrid["rankers"]!.AsArray().Select(r => (string)r!).ShouldContain("vector");
        hybrid["rankers"]!.AsArray().Select(r => (string)r!).ShouldContain("bm25");
    }

    [Fact]
    public async Task While_the_embedding_model_fails_lexical_search_still_finds_new_items_and_the_vectors_catch_up_later()
    {
        await using var model = await FakeEmbeddingModel.StartAsync();
        model.Failing = true;
        await using var server = await ApiServer.StartAsync("--Continuum:Models:Embeddings:Provider", "openai", "--Continuum:Models:Embeddings:Endpoint", model.Endpoint, "--Continuum:Models:Embeddings:Model", "fake-embed");
        var session = await server.OpenSessionAsync("web", "dense-2");
        var userId = (string)session["userId"]!;
        await server.AppendAsync((string)session["id"]!, "Renewed the passport at the consulate.");

        var lexical = await server.PostOkAsync("api/search", new { userId, query = "passport" }, HttpStatusCode.OK);
        ((string)lexical["results"]![0]!["content"]!).ShouldContain("passport");
        lexical["rankers"]!.AsArray().Select(r => (string)r!).ShouldNotContain("vector");

        // The index says how far behind it is: the event waits for its vector.
        var behind = await server.GetOkAsync("api/stats");
        ((string)behind["search"]!["provider"]!).ShouldBe("fake-embed");
        ((long)behind["search"]!["backlog"]!).ShouldBe(1);
        ((long)(await server.GetOkAsync("health"))["checks"]!["search-index"]!["data"]!["backlog"]!).ShouldBe(1);

        model.Failing = false;
        var caughtUp = await WaitForRankerAsync(server, new { userId, query = "passport renewal" }, "vector");
        ((string)caughtUp[0]!["content"]!).ShouldContain("passport");
        model.Texts.ShouldBeGreaterThan(0);
        var done = await server.GetOkAsync("api/stats");
        ((long)done["search"]!["backlog"]!).ShouldBe(0);
        ((long)done["search"]!["embedded"]!).ShouldBeGreaterThanOrEqualTo(1);
    }

    private static async Task WaitForIndexAsync(ApiServer server)
    {
        for (var i = 0; i < 300; i++)
        {
            if ((long)(await server.GetOkAsync("api/stats"))["search"]!["backlog"]! == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new ShouldAssertException("The search index did not catch up within 30 s.");
    }

    private static async Task<JsonArray> WaitForRankerAsync(ApiServer server, object body, string ranker)
    {
        // The indexer embeds off the append path; give it up to 30 s (it backs off after failures).
        for (var i = 0; i < 300; i++)
        {
            var found = await server.PostOkAsync("api/search", body, HttpStatusCode.OK);
            var results = found["results"]!.AsArray();
            if (results.Count > 0 && results[0]!["why"]!["rankers"]!.AsArray().Any(r => (string)r!["ranker"]! == ranker))
            {
                return results;
            }

            await Task.Delay(100);
        }

        throw new ShouldAssertException($"No result was ranked by '{ranker}' within 30 s.");
    }
}
