using System.Net;
using System.Text.Json.Nodes;

namespace Continuum.Server.Tests.Api;

public sealed class ClosedAndMergedTests
{
    [Fact]
    public async Task A_retry_after_the_session_closed_returns_the_original_but_a_new_event_is_409()
    {
        await using var server = await ApiServer.StartAsync();
        var sessionId = (string)(await server.OpenSessionAsync("telegram", "closed-1"))["id"]!;
        var body = new { role = "user", content = "deploy done", idempotencyKey = "k-1" };
        var first = await server.PostOkAsync($"api/sessions/{sessionId}/events", body);
        (await server.SendAsync(HttpMethod.Patch, $"api/sessions/{sessionId}", new { status = "closed" })).Status.ShouldBe(HttpStatusCode.OK);

        var retry = await server.PostAsync($"api/sessions/{sessionId}/events", body);
        var fresh = await server.PostAsync($"api/sessions/{sessionId}/events", new { content = "one more", idempotencyKey = "k-2" });

        retry.Status.ShouldBe(HttpStatusCode.OK);
        ((string)retry.Json["id"]!).ShouldBe((string)first["id"]!);
        fresh.Status.ShouldBe(HttpStatusCode.Conflict);
        (await server.AllEventsAsync(sessionId)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Listing_by_a_merged_users_id_lists_the_survivors_sessions()
    {
        await using var server = await ApiServer.StartAsync();
        var a = await server.OpenSessionAsync("telegram", "merge-a");
        var b = await server.OpenSessionAsync("web", "merge-b");
        var survivor = (string)a["userId"]!;
        var merged = (string)b["userId"]!;
        await server.PostOkAsync($"api/users/{survivor}/merge", new { userId = merged }, HttpStatusCode.OK);

        var listed = await server.GetOkAsync($"api/sessions?userId={merged}");

        var ids = listed["sessions"]!.AsArray().Select(s => (string)s!["id"]!).ToList();
        ids.ShouldBe([(string)b["id"]!, (string)a["id"]!], ignoreOrder: true);
        listed["sessions"]!.AsArray().ShouldAllBe(s => (string)s!["userId"]! == survivor);
    }
}
