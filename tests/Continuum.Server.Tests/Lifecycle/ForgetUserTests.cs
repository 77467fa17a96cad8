using System.Net;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Memory;

namespace Continuum.Server.Tests.Lifecycle;

public sealed class ForgetUserTests
{
    [Fact]
    public async Task A_forgotten_users_token_is_found_nowhere_not_in_the_api_search_any_table_or_the_sqlite_files()
    {
        await using var model = await FakeEmbeddingModel.StartAsync();
        await using var server = await ApiServer.StartAsync("--Continuum:Models:Embeddings:Provider", "openai", "--Continuum:Models:Embeddings:Endpoint", model.Endpoint, "--Continuum:Models:Embeddings:Model", "fake-embed");
        var token = "zqx" + Guid.NewGuid().ToString("N")[..12] + "7";
        var session = await server.OpenSessionAsync("telegram", "forget-" + token);
        var sessionId = (string)session["id"]!;
        var userId = (string)session["userId"]!;
        for (var i = 0; i < 12; i++)
        {
            await server.AppendAsync(sessionId, $"My locker code is {token} and the gym is on floor {i}.");
            await server.AppendAsync(sessionId, $"Noted: locker {token}, floor {i}.", "assistant");
        }

        (await server.PostAsync($"api/sessions/{sessionId}/summarize", new { })).Status.ShouldBe(HttpStatusCode.OK);
        await server.PostOkAsync("api/memories", new { userId, kind = "fact", content = $"The locker code is {token}" });
        (await server.PostAsync($"api/sessions/{sessionId}/remember", null)).Status.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
        (await server.SendAsync(HttpMethod.Put, "api/shared/gym/locker", new { sessionId, value = new { code = token }, type = "note" })).Status.ShouldBe(HttpStatusCode.Created);
        var handoff = await server.PostOkAsync("api/handoffs", new { project = "gym", sessionId, goal = $"Help user {userId} with the locker", notes = $"Session {sessionId}." });
        var handoffId = (string)handoff["handoff"]!["id"]!;

        // Someone else's data, which must survive.
        var other = await server.OpenSessionAsync("telegram", "keep-" + Guid.NewGuid().ToString("N"));
        await server.AppendAsync((string)other["id"]!, "The other user's note stays.");

        var summaries = await server.GetOkAsync($"api/sessions/{sessionId}/summaries");
        summaries["summaries"]!.AsArray().Select(s => (string)s!["content"]!).ShouldContain(c => c.Contains(token));
        await WaitForVectorAsync(server, userId, token);
        (await StoreScan.TablesHoldingAsync(server, token)).ShouldContain("events", "the scan sees the token before the forget");

        var forgotten = await server.SendAsync(HttpMethod.Delete, $"api/users/{userId}?forget=true");

        forgotten.Status.ShouldBe(HttpStatusCode.OK, forgotten.Text);
        var counts = forgotten.Json["counts"]!.AsObject();
        ((long)counts["events"]!).ShouldBe(24);
        ((long)counts["sessions"]!).ShouldBe(1);
        ((long)counts["identities"]!).ShouldBe(1);
        ((long)counts["memories"]!).ShouldBeGreaterThanOrEqualTo(2);
        ((long)counts["sharedEntries"]!).ShouldBe(1);
        ((long)counts["embeddings"]!).ShouldBeGreaterThan(0);
        ((long)counts["handoffsScrubbed"]!).ShouldBe(1);

        // The API: nothing of theirs answers.
        (await server.GetAsync($"api/users/{userId}")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.GetAsync($"api/sessions/{sessionId}")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.GetAsync("api/shared/gym/locker")).ShouldBeProblem(HttpStatusCode.NotFound);
        var search = await server.PostAsync("api/search", new { userId, query = token });
        if (search.Status == HttpStatusCode.OK)
        {
            search.Json["results"]!.AsArray().Count.ShouldBe(0);
        }

        var memories = await server.GetOkAsync($"api/memories?userId={userId}");
        memories["memories"]!.AsArray().Count.ShouldBe(0);
        var scrubbed = await server.GetOkAsync($"api/handoffs/{handoffId}");
        scrubbed.ToJsonString().ShouldNotContain(userId);
        scrubbed.ToJsonString().ShouldNotContain(sessionId);
        (await server.GetOkAsync($"api/sessions/{(string)other["id"]!}"))["counters"]!["messages"]!.GetValue<long>().ShouldBe(1);

        // The audit log keeps who asked, when and how many, never the content.
        var audit = (await server.GetOkAsync("api/audit"))["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var entry = audit.ShouldHaveSingleItem();
        ((string)entry["action"]!).ShouldBe("user.forgotten");
        ((string)entry["target"]!).ShouldBe(userId);
        ((string)entry["actor"]!).ShouldBe("local");
        ((long)entry["counts"]!["events"]!).ShouldBe(24);
        entry.ToJsonString().ShouldNotContain(token);

        // Every table of the store, and the SQLite files' bytes.
        (await StoreScan.TablesHoldingAsync(server, token)).ShouldBeEmpty();
        (await StoreScan.TablesHoldingAsync(server, sessionId)).ShouldBeEmpty();
        (await StoreScan.TablesHoldingAsync(server, userId, "audit_log")).ShouldBeEmpty();
        if (!Continuum.Testing.TestStore.IsPostgres)
        {
            StoreScan.FilesHolding(server, token).ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task Forget_needs_forget_true_and_an_unknown_user_is_a_404()
    {
        await using var server = await ApiServer.StartAsync();
        var session = await server.OpenSessionAsync("web", "forget-guard");
        var userId = (string)session["userId"]!;

        (await server.SendAsync(HttpMethod.Delete, $"api/users/{userId}")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.SendAsync(HttpMethod.Delete, $"api/users/{userId}?forget=false")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.SendAsync(HttpMethod.Delete, "api/users/usr_nobody?forget=true")).ShouldBeProblem(HttpStatusCode.NotFound);

        (await server.GetOkAsync($"api/users/{userId}"))["id"]!.GetValue<string>().ShouldBe(userId);
        (await server.GetOkAsync("api/audit"))["entries"]!.AsArray().Count.ShouldBe(0);
    }

    [Fact]
    public async Task The_cli_forgets_a_user_against_a_server_only_when_confirmed()
    {
        await using var server = await ApiServer.StartAsync();
        var session = await server.OpenSessionAsync("cli", "forget-cli");
        var userId = (string)session["userId"]!;
        await server.AppendAsync((string)session["id"]!, "Something to forget.");
        var url = server.Http.BaseAddress!.ToString();

        var refused = await Handoffs.CliRun.RunAsync("--server", url, "users", "forget", userId);

        refused.ExitCode.ShouldBe(1, refused.Err);
        refused.Err.ShouldContain("--yes");
        (await server.GetOkAsync($"api/users/{userId}"))["id"]!.GetValue<string>().ShouldBe(userId);

        var done = await Handoffs.CliRun.RunAsync("--server", url, "--json", "users", "forget", userId, "--yes");

        done.ExitCode.ShouldBe(0, done.Err);
        var result = JsonNode.Parse(done.Out)!;
        ((string)result["userId"]!).ShouldBe(userId);
        ((long)result["counts"]!["events"]!).ShouldBe(1);
        (await server.GetAsync($"api/users/{userId}")).ShouldBeProblem(HttpStatusCode.NotFound);
    }

    private static async Task WaitForVectorAsync(ApiServer server, string userId, string token)
    {
        // The indexer embeds off the append path: wait until a result is ranked by the vectors too.
        for (var i = 0; i < 300; i++)
        {
            var found = await server.PostOkAsync("api/search", new { userId, query = $"locker code {token}" }, HttpStatusCode.OK);
            if (found["results"]!.AsArray().Any(r => r!["why"]!["rankers"]!.AsArray().Any(k => (string)k!["ranker"]! == "vector")))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new ShouldAssertException("Nothing was ranked by the vectors within 30 s.");
    }
}
