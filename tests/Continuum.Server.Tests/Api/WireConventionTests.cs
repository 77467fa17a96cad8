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

    [Fact]
    public async Task Memories_page_by_cursor_without_gaps_or_repeats_while_new_ones_are_added()
    {
        await using var server = await ApiServer.StartAsync();
        var userId = (string)(await server.OpenSessionAsync("web", "pager-1"))["userId"]!;
        var written = new List<string>();
        foreach (var word in new[] { "apples", "bridges", "cobalt", "dunes", "embers" })
        {
            written.Add((string)(await server.PostOkAsync("api/memories", new { userId, kind = "note", content = $"Remember the {word} at number {written.Count}" }))["memory"]!["id"]!);
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await server.GetOkAsync($"api/memories?userId={userId}&limit=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            var ids = page["memories"]!.AsArray().Select(m => (string)m!["id"]!).ToList();
            ids.Count.ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(ids);
            cursor = (string?)page["next"];
            if (pages++ == 0)
            {
                // Written after the first page: newer than everything on it, so it never shifts the pages that follow.
                await server.PostOkAsync("api/memories", new { userId, kind = "note", content = "A late note about the fjord" });
            }
        }
        while (cursor is not null);

        pages.ShouldBe(3);
        seen.ShouldBe(Enumerable.Reverse(written).ToList());
        (await server.GetAsync($"api/memories?userId={userId}&cursor=nonsense")).ShouldBeProblem(HttpStatusCode.BadRequest).ShouldEndWith("/validation");
        (await server.GetOkAsync($"api/memories?userId={userId}&limit=6"))["next"].ShouldBeNull();
    }

    [Fact]
    public async Task Conversations_handoffs_and_projects_page_by_cursor()
    {
        await using var server = await ApiServer.StartAsync();
        var first = await server.OpenSessionAsync("web", "pager-2");
        var userId = (string)first["userId"]!;
        var sessions = new List<string> { (string)first["id"]! };
        for (var i = 0; i < 2; i++)
        {
            sessions.Add((string)(await server.PostOkAsync("api/sessions", new { userId, @interface = "web", mode = "new" }))["id"]!);
        }

        foreach (var id in sessions)
        {
            await server.AppendAsync(id, $"Hello from {id}");
        }

        var conversations = await AllPagesAsync(server, $"api/users/{userId}/conversations?limit=2", "conversations");
        conversations.Select(c => (string)c["sessionId"]!).ShouldBe(Enumerable.Reverse(sessions).ToList());

        foreach (var (project, day) in new[] { ("delta", 3), ("alpha", 1), ("charlie", 2), ("alpha", 2), ("bravo", 1), ("alpha", 3) })
        {
            await server.PostOkAsync("api/handoffs", new { project, goal = $"{project} day {day}", endedAt = $"2025-04-0{day}T12:00:00Z" });
        }

        (await AllPagesAsync(server, "api/projects?limit=3", "projects")).Select(p => (string)p!).ShouldBe(["alpha", "bravo", "charlie", "delta"]);
        (await AllPagesAsync(server, "api/handoffs?project=alpha&limit=2", "handoffs")).Select(h => (string)h["goal"]!).ShouldBe(["alpha day 1", "alpha day 2", "alpha day 3"]);
        (await AllPagesAsync(server, "api/handoffs?project=alpha&from=2025-04-02&limit=1", "handoffs")).Select(h => (string)h["goal"]!).ShouldBe(["alpha day 2", "alpha day 3"]);
        (await server.GetAsync("api/projects?cursor=x")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/handoffs?project=alpha&limit=0")).ShouldBeProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Creates_answer_201_with_the_Location_of_what_they_created_and_upserts_200_when_they_updated()
    {
        await using var server = await ApiServer.StartAsync();
        var session = await server.OpenSessionAsync("web", "creator-1");
        var userId = (string)session["userId"]!;
        var sessionId = (string)session["id"]!;

        using var memory = await server.Http.PostAsJsonAsync("api/memories", new { userId, kind = "preference", content = "Prefers tea over coffee" });
        memory.StatusCode.ShouldBe(HttpStatusCode.Created);
        var memoryId = (string)(await ReadAsync(memory))["memory"]!["id"]!;
        memory.Headers.Location!.ToString().ShouldBe($"/api/memories/{memoryId}");
        ((string)(await server.GetOkAsync(memory.Headers.Location.ToString()))["id"]!).ShouldBe(memoryId);

        using var handoff = await server.Http.PostAsJsonAsync("api/handoffs", new { project = "located", goal = "Find me" });
        handoff.StatusCode.ShouldBe(HttpStatusCode.Created);
        ((string)(await server.GetOkAsync(handoff.Headers.Location!.ToString()))["goal"]!).ShouldBe("Find me");

        // The conversation memory: written (201, where it is) the first time, rewritten (200) the next.
        await server.AppendAsync(sessionId, "We talked about the garden fence.");
        using var remembered = await server.Http.PostAsync($"api/sessions/{sessionId}/remember", null);
        remembered.StatusCode.ShouldBe(HttpStatusCode.Created);
        var conversationId = (string)(await ReadAsync(remembered))["id"]!;
        remembered.Headers.Location!.ToString().ShouldBe($"/api/memories/{conversationId}");
        await server.AppendAsync(sessionId, "And about the gate.");
        using var rewritten = await server.Http.PostAsync($"api/sessions/{sessionId}/remember", null);
        rewritten.StatusCode.ShouldBe(HttpStatusCode.OK);
        ((string)(await ReadAsync(rewritten))["id"]!).ShouldBe(conversationId);
    }

    [Fact]
    public async Task Resolving_an_identity_is_201_when_it_creates_the_user_and_200_when_the_user_was_there()
    {
        await using var server = await ApiServer.StartAsync();
        using var first = await server.Http.PostAsJsonAsync("api/users/resolve", new { @interface = "discord", externalUserId = "d-resolve" });
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        var userId = (string)(await ReadAsync(first))["id"]!;
        first.Headers.Location!.ToString().ShouldBe($"/api/users/{userId}");
        ((string)(await server.GetOkAsync(first.Headers.Location.ToString()))["id"]!).ShouldBe(userId);

        using var again = await server.Http.PostAsJsonAsync("api/users/resolve", new { @interface = "discord", externalUserId = "d-resolve" });
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        ((string)(await ReadAsync(again))["id"]!).ShouldBe(userId);

        var client = new Continuum.Client.ContinuumClient(server.Http);
        var resolved = await client.ResolveIdentityAsync(new Continuum.Users.IdentityRef { Interface = "discord", ExternalUserId = "d-resolve" });
        (resolved.User.Id, resolved.Created).ShouldBe((userId, false));
        (await client.ResolveIdentityAsync(new Continuum.Users.IdentityRef { Interface = "discord", ExternalUserId = "d-other" })).Created.ShouldBeTrue();
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    // Every item of a listing, following next; each page holds at most the limit asked for.
    private static async Task<List<JsonNode>> AllPagesAsync(ApiServer server, string path, string key)
    {
        var items = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await server.GetOkAsync(path + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            items.AddRange(page[key]!.AsArray().Select(i => i!));
            cursor = (string?)page["next"];
        }
        while (cursor is not null);

        return items;
    }
}
