using System.Net;
using System.Text.Json.Nodes;

namespace Continuum.Server.Tests.Context;

public sealed class ListPagingTests
{
    private static async Task<(List<string> Names, List<string?> Cursors)> ReadAllEntitiesAsync(ContextServer server, string userId, int limit, Func<int, Task>? betweenPages = null)
    {
        var names = new List<string>();
        var cursors = new List<string?>();
        string? cursor = null;
        for (var page = 0; page < 50; page++)
        {
            var body = await server.GetAsync($"api/users/{userId}/entities?limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            var items = body["entities"]!.AsArray();
            items.Count.ShouldBeLessThanOrEqualTo(limit);
            names.AddRange(items.Select(e => (string)e!["name"]!));
            cursor = (string?)body["next"];
            cursors.Add(cursor);
            if (cursor is null)
            {
                return (names, cursors);
            }

            if (betweenPages is not null)
            {
                await betweenPages(page);
            }
        }

        throw new InvalidOperationException("the listing did not end");
    }

    [Fact]
    public async Task A_users_entities_page_by_cursor_without_gap_or_repeat_while_new_ones_are_mentioned()
    {
        await using var server = await ContextServer.StartAsync();
        var session = await server.PostAsync("api/sessions", new { identity = new { @interface = "web", externalUserId = "ent-page" }, @interface = "web" });
        var sessionId = (string)session["id"]!;
        var userId = (string)session["userId"]!;
        // One message mentions five entities at once: they share a last-seen time, so the cursor's tie-breaker decides.
        await server.AppendAsync(sessionId, "user", "Check host-a1.example.com, host-b2.example.com, host-c3.example.com, host-d4.example.com and host-e5.example.com.");
        await server.AppendAsync(sessionId, "user", "Then gateway-7 and gateway-8.");
        var all = (await server.GetAsync($"api/users/{userId}/entities"))["entities"]!.AsArray().Select(e => (string)e!["name"]!).ToList();
        all.Count.ShouldBeGreaterThanOrEqualTo(7);
        (await server.GetAsync($"api/users/{userId}/entities"))["next"].ShouldBeNull();

        var (paged, cursors) = await ReadAllEntitiesAsync(server, userId, 2,
            page => server.AppendAsync(sessionId, "user", $"New: router-{page}0.example.com."));

        paged.ShouldBe(all, "the pages hold the listing as it was, in its order, once each");
        cursors.Count.ShouldBe((all.Count + 1) / 2);
        var after = (await server.GetAsync($"api/users/{userId}/entities?limit=1000"))["entities"]!.AsArray().Select(e => (string)e!["name"]!).ToList();
        after.ShouldContain("router-00.example.com", "a mention written between pages is stored, at the front of the listing");
    }

    [Theory]
    [InlineData("cursor=nonsense")]
    [InlineData("cursor=x")]
    [InlineData("cursor=MTIzNA")]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    public async Task A_cursor_or_limit_the_entities_listing_did_not_give_out_is_a_400(string query)
    {
        await using var server = await ContextServer.StartAsync();
        var session = await server.PostAsync("api/sessions", new { identity = new { @interface = "web", externalUserId = "ent-bad" }, @interface = "web" });
        await server.AppendAsync((string)session["id"]!, "user", "Deploy gateway-2 today.");
        var userId = (string)session["userId"]!;

        using var response = await server.Http.GetAsync($"api/users/{userId}/entities?{query}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        ((string)problem["type"]!).ShouldEndWith("/validation");
        (await server.GetAsync($"api/users/{userId}/entities"))["entities"]!.AsArray().ShouldContain(e => (string)e!["name"]! == "gateway-2");
    }

    [Fact]
    public async Task A_sessions_summaries_page_by_cursor_in_seq_order_once_each()
    {
        await using var server = await ContextServer.StartAsync();
        var sessionId = await server.OpenSessionAsync("cli", "sum-page", tokenLimit: 1000);
        for (var i = 0; i < 40; i++)
        {
            await server.AppendAsync(sessionId, "user", $"Step {i}: check the disk on db-{i} and report the usage of every volume in detail.");
            await server.AppendAsync(sessionId, "assistant", $"db-{i} disk is at {50 + i}% on the data volume and {10 + i}% on the log volume.");
        }

        await server.PostAsync($"api/sessions/{sessionId}/summarize", new { }, 200);
        var whole = await server.GetAsync($"api/sessions/{sessionId}/summaries");
        whole["next"].ShouldBeNull();
        var all = whole["summaries"]!.AsArray().Select(s => (string)s!["id"]!).ToList();
        all.Count.ShouldBeGreaterThanOrEqualTo(2);

        var paged = new List<string>();
        var seqs = new List<long>();
        string? cursor = null;
        do
        {
            var page = await server.GetAsync($"api/sessions/{sessionId}/summaries?limit=1" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            var items = page["summaries"]!.AsArray();
            items.Count.ShouldBe(1);
            paged.Add((string)items[0]!["id"]!);
            seqs.Add((long)items[0]!["fromSeq"]!);
            cursor = (string?)page["next"];
        }
        while (cursor is not null && paged.Count <= all.Count);

        paged.ShouldBe(all);
        seqs.ShouldBeInOrder(SortDirection.Ascending);
        using var bad = await server.Http.GetAsync($"api/sessions/{sessionId}/summaries?cursor=bm9wZQ");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var missing = await server.Http.GetAsync("api/sessions/ses_missing/summaries?limit=1");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_sessions_links_page_by_cursor_without_gap_or_repeat_while_it_is_forked_again()
    {
        await using var server = await ContextServer.StartAsync();
        var parent = await server.OpenSessionAsync("cli", "links-page");
        await server.AppendAsync(parent, "user", "First step.");
        var forks = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            forks.Add((string)(await server.PostAsync($"api/sessions/{parent}/fork", new { title = $"fork {i}" }))["id"]!);
        }

        var whole = await server.GetAsync($"api/sessions/{parent}/links");
        whole["next"].ShouldBeNull();
        whole["links"]!.AsArray().Select(l => (string)l!["toSessionId"]!).ShouldBe(forks);

        var paged = new List<string>();
        string? cursor = null;
        do
        {
            var page = await server.GetAsync($"api/sessions/{parent}/links?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            var items = page["links"]!.AsArray();
            items.Count.ShouldBeInRange(1, 2);
            paged.AddRange(items.Select(l => (string)l!["toSessionId"]!));
            cursor = (string?)page["next"];
            if (paged.Count == 2)
            {
                // A link made between pages comes last in the listing's order: the next pages end with it.
                forks.Add((string)(await server.PostAsync($"api/sessions/{parent}/fork", new { title = "late fork" }))["id"]!);
            }
        }
        while (cursor is not null && paged.Count <= forks.Count);

        paged.ShouldBe(forks);
        using var bad = await server.Http.GetAsync($"api/sessions/{parent}/links?cursor=not-a-cursor");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var tooMany = await server.Http.GetAsync($"api/sessions/{parent}/links?limit=1001");
        tooMany.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
