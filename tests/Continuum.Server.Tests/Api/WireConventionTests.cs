using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Continuum.Server.Tests.Api;

/// <summary>Lists page by cursor, creates answer 201 with a Location, upserts 201 or 200, and what a bad write leaves behind.</summary>
public sealed class WireConventionTests
{
    [Fact]
    public async Task Adding_a_memory_for_a_user_that_does_not_exist_is_a_404_and_stores_nothing()
    {
        await using var server = await ApiServer.StartAsync();
        var type = (await server.PostAsync("api/memories", new { userId = "usr_nobody", content = "Likes tea" })).ShouldBeProblem(HttpStatusCode.NotFound);
        type.ShouldEndWith("/not-found");
        (await server.GetOkAsync("api/memories?userId=usr_nobody"))["memories"]!.AsArray().ShouldBeEmpty();

        // The same call for a user who exists is stored, and a merged user's memory goes to the survivor.
        var survivor = (string)(await server.OpenSessionAsync("web", "memory-owner"))["userId"]!;
        var merged = (string)(await server.OpenSessionAsync("telegram", "memory-owner-2"))["userId"]!;
        await server.PostOkAsync($"api/users/{survivor}/merge", new { userId = merged }, HttpStatusCode.OK);
        var write = await server.PostOkAsync("api/memories", new { userId = merged, content = "Likes tea" });
        ((string)write["memory"]!["userId"]!).ShouldBe(survivor);
    }
}
