using System.Net;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;

namespace Continuum.Server.Tests.Memory;

public sealed class MemoryApiTests
{
    [Fact]
    public async Task An_event_is_found_the_moment_its_append_is_acknowledged_and_says_why()
    {
        await using var server = await ApiServer.StartAsync();
        var session = await server.OpenSessionAsync("telegram", "search-1");
        var sessionId = (string)session["id"]!;
        var userId = (string)session["userId"]!;
        await server.AppendAsync(sessionId, "We deployed the payments service to the Frankfurt cluster.");
        await server.AppendAsync(sessionId, "The dashboards look fine after the rollout.", "assistant");
        var appended = await server.AppendAsync(sessionId, "Which zookeeper version runs on kafka-2?");

        // No wait, no polling: the append's acknowledgement is the index's.
        var found = await server.PostOkAsync("api/search", new { userId, query = "zookeeper version", limit = 5 }, HttpStatusCode.OK);
        var top = found["results"]![0]!;
        ((string)top["id"]!).ShouldBe((string)appended["id"]!);
        ((string)top["kind"]!).ShouldBe("event");
        ((long)top["seq"]!).ShouldBe(3);
        top["why"]!["terms"]!.AsArray().Select(t => (string)t!).ShouldBe(["zookeeper", "version"], ignoreOrder: true);
        top["why"]!["rankers"]!.AsArray().Select(r => (string)r!["ranker"]!).ShouldContain("bm25");

        // Stemming: "deploying" finds "deployed"; filters narrow; the neighbours come when asked for.
        var stemmed = await server.PostOkAsync("api/search", new { userId, query = "deploying payments", includeNeighbors = true }, HttpStatusCode.OK);
        ((long)stemmed["results"]![0]!["seq"]!).ShouldBe(1);
        stemmed["results"]![0]!["neighbors"]!.AsArray().Select(n => (long)n!["seq"]!).ShouldBe([2L]);
        var other = await server.OpenSessionAsync("web", "search-2");
        (await server.PostOkAsync("api/search", new { userId = (string)other["userId"]!, query = "zookeeper" }, HttpStatusCode.OK))["results"]!.AsArray().ShouldBeEmpty();
        (await server.PostOkAsync("api/search", new { userId, query = "zookeeper", scope = new[] { "memories" } }, HttpStatusCode.OK))["results"]!.AsArray().ShouldBeEmpty();
        (await server.PostOkAsync("api/search", new { userId, query = "zookeeper", to = DateTimeOffset.UtcNow.AddDays(-1) }, HttpStatusCode.OK))["results"]!.AsArray().ShouldBeEmpty();

        Invalid(await server.PostAsync("api/search", new { userId, query = "" }), "query");
        Invalid(await server.PostAsync("api/search", new { query = "zookeeper" }), "userId");
        Invalid(await server.PostAsync("api/search", new { userId, query = "x", limit = 0 }), "limit");
        Invalid(await server.PostAsync("api/search", new { userId, query = "x", scope = new[] { "files" } }), "scope");
    }

    [Fact]
    public async Task A_newer_contradicting_fact_closes_the_older_ones_interval_instead_of_erasing_it()
    {
        await using var server = await ApiServer.StartAsync();
        var userId = (string)(await server.OpenSessionAsync("telegram", "facts-1"))["userId"]!;

        var first = await server.PostOkAsync("api/memories", new { userId, kind = "fact", content = "GPU temp is 82C" });
        ((string)first["action"]!).ShouldBe("added");
        ((string)first["memory"]!["subject"]!).ShouldBe("gpu temp");
        var firstId = (string)first["memory"]!["id"]!;
        await server.PostOkAsync("api/memories", new { userId, kind = "fact", content = "The office printer is on floor 3" });

        var second = await server.PostOkAsync("api/memories", new { userId, kind = "fact", content = "after the fan fix it is 61C" });
        ((string)second["action"]!).ShouldBe("superseded");
        ((string)second["memory"]!["subject"]!).ShouldBe("gpu temp");
        second["superseded"]!.AsArray().Select(m => (string)m!["id"]!).ShouldBe([firstId]);

        // The current view has the new value only; the history keeps the old one with its interval closed.
        var current = await server.GetOkAsync($"api/memories?userId={userId}&kind=fact");
        current["memories"]!.AsArray().Select(m => (string)m!["content"]!).ShouldBe(["after the fan fix it is 61C", "The office printer is on floor 3"]);
        var old = await server.GetOkAsync($"api/memories/{firstId}");
        ((string)old["supersededBy"]!).ShouldBe((string)second["memory"]!["id"]!);
        ((string)old["validTo"]!).ShouldBe((string)second["memory"]!["validFrom"]!);
        (await server.GetOkAsync($"api/memories?userId={userId}&kind=fact&history=true"))["memories"]!.AsArray().Count.ShouldBe(3);

        // Search over memories finds the current fact, not the closed one.
        var found = await server.PostOkAsync("api/search", new { userId, query = "fan fix temperature 61C", scope = new[] { "memories" } }, HttpStatusCode.OK);
        found["results"]!.AsArray().Select(r => (string)r!["id"]!).ShouldNotContain(firstId);
        ((string)found["results"]![0]!["kind"]!).ShouldBe("memory");
    }

    [Fact]
    public async Task A_near_duplicate_with_a_new_place_supersedes_the_old_one_and_a_restatement_still_merges()
    {
        await using var server = await ApiServer.StartAsync();
        var userId = (string)(await server.OpenSessionAsync("web", "moves-1"))["userId"]!;

        var lisbon = await server.PostOkAsync("api/memories", new { userId, kind = "note", content = "Caroline said she lives in Lisbon with her two cats and a dog" });
        ((string)lisbon["action"]!).ShouldBe("added");
        var lisbonId = (string)lisbon["memory"]!["id"]!;

        // Word for word the same memory but for the place: the newer place wins, the older keeps its interval.
        var oslo = await server.PostOkAsync("api/memories", new { userId, kind = "note", content = "Caroline said she lives in Oslo with her two cats and a dog" });
        ((string)oslo["action"]!).ShouldBe("superseded");
        oslo["superseded"]!.AsArray().Select(m => (string)m!["id"]!).ShouldBe([lisbonId]);
        var osloId = (string)oslo["memory"]!["id"]!;
        var old = await server.GetOkAsync($"api/memories/{lisbonId}");
        ((string)old["supersededBy"]!).ShouldBe(osloId);
        ((string)old["validTo"]!).ShouldBe((string)oslo["memory"]!["validFrom"]!);
        ((string)old["content"]!).ShouldContain("Lisbon");

        // Saying it again (with the same place) merges into the current memory.
        var again = await server.PostOkAsync("api/memories", new { userId, kind = "note", content = "Caroline said she lives in Oslo with her two cats and a dog." }, HttpStatusCode.OK);
        ((string)again["action"]!).ShouldBe("merged");
        ((string)again["memory"]!["id"]!).ShouldBe(osloId);

        var current = await server.GetOkAsync($"api/memories?userId={userId}&kind=note");
        current["memories"]!.AsArray().Select(m => (string)m!["id"]!).ShouldBe([osloId]);
        (await server.GetOkAsync($"api/memories?userId={userId}&kind=note&history=true"))["memories"]!.AsArray().Count.ShouldBe(2);
    }

    [Fact]
    public async Task Near_duplicates_merge_instead_of_piling_up_and_keep_their_sources()
    {
        await using var server = await ApiServer.StartAsync();
        var session = await server.OpenSessionAsync("web", "dupes-1");
        var userId = (string)session["userId"]!;
        var sessionId = (string)session["id"]!;

        var first = await server.PostOkAsync("api/memories", new { userId, kind = "preference", content = "Prefers dark mode in the editor" });
        var again = await server.PostOkAsync("api/memories", new { userId, kind = "preference", content = "The user prefers dark mode in the editor.", sessionId }, HttpStatusCode.OK);
        ((string)again["action"]!).ShouldBe("merged");
        ((string)again["memory"]!["id"]!).ShouldBe((string)first["memory"]!["id"]!);
        ((int)again["memory"]!["mentions"]!).ShouldBe(2);
        ((string)again["memory"]!["content"]!).ShouldBe("The user prefers dark mode in the editor.");
        again["memory"]!["sources"]!.AsArray().Select(s => (string)s!["sessionId"]!).ShouldBe([sessionId]);

        // Something else is kept apart, and forgetting removes one memory only.
        var other = await server.PostOkAsync("api/memories", new { userId, kind = "preference", content = "Prefers answers in German" });
        var list = await server.GetOkAsync($"api/memories?userId={userId}");
        list["memories"]!.AsArray().Count.ShouldBe(2);
        (await server.SendAsync(HttpMethod.Delete, $"api/memories/{(string)other["memory"]!["id"]!}")).Status.ShouldBe(HttpStatusCode.NoContent);
        (await server.GetOkAsync($"api/memories?userId={userId}"))["memories"]!.AsArray().Count.ShouldBe(1);
        (await server.SendAsync(HttpMethod.Delete, $"api/memories/{(string)other["memory"]!["id"]!}")).ShouldBeProblem(HttpStatusCode.NotFound);

        Invalid(await server.PostAsync("api/memories", new { userId, content = "" }), "content");
        Invalid(await server.PostAsync("api/memories", new { content = "no user" }), "userId");
        Invalid(await server.PostAsync("api/memories", new { userId, content = "x", kind = "secret" }), "kind");
        Invalid(await server.GetAsync("api/memories"), "userId");
    }

    [Fact]
    public async Task Memories_are_loaded_into_a_new_sessions_context_and_memory_loaded_is_recorded_once()
    {
        await using var server = await ApiServer.StartAsync();
        var first = await server.OpenSessionAsync("telegram", "loaded-1");
        var userId = (string)first["userId"]!;
        await server.PostOkAsync("api/memories", new { userId, kind = "fact", content = "GPU temp is 82C on gpu-3" });
        await server.PostOkAsync("api/memories", new { userId, kind = "preference", content = "Likes short answers" });

        var web = await server.PostOkAsync("api/sessions", new { userId, @interface = "web", mode = "new" });
        var webId = (string)web["id"]!;
        await server.AppendAsync(webId, "How hot was the GPU?");
        var context = await server.GetOkAsync($"api/sessions/{webId}/context?query=gpu%20temperature");
        context["memories"]!.AsArray().Select(m => (string)m!["content"]!).ShouldContain(c => c.StartsWith("GPU temp is 82C", StringComparison.Ordinal));
        ((int)context["tokens"]!["memories"]!).ShouldBeGreaterThan(0);
        ((string)context["prompt"]!).ShouldContain("82C");
        context["recent"]!.AsArray().Select(e => (string)e!["content"]!).ShouldBe(["How hot was the GPU?"]);

        // A memory written now is in the next context: the cached memories were let go.
        await server.PostOkAsync("api/memories", new { userId, kind = "note", content = "Fan replaced on gpu-3 by the night shift" });
        (await server.GetOkAsync($"api/sessions/{webId}/context?query=gpu%20temperature"))["memories"]!.AsArray()
            .Select(m => (string)m!["content"]!).ShouldContain("Fan replaced on gpu-3 by the night shift");
        var forgotten = (await server.GetOkAsync($"api/memories?userId={userId}&kind=preference"))["memories"]![0]!;
        (await server.SendAsync(HttpMethod.Delete, $"api/memories/{(string)forgotten["id"]!}")).Status.ShouldBe(HttpStatusCode.NoContent);
        (await server.GetOkAsync($"api/sessions/{webId}/context"))["memories"]!.AsArray()
            .Select(m => (string)m!["content"]!).ShouldNotContain("Likes short answers");

        var loaded = (await server.AllEventsAsync(webId)).Where(e => (string?)e["name"] == "memory_loaded").ToList();
        loaded.Count.ShouldBe(1);
        ((string)loaded[0]["type"]!).ShouldBe("state");
        ((string)loaded[0]["metadata"]!["userId"]!).ShouldBe(userId);
        ((int)loaded[0]["metadata"]!["memoryCount"]!).ShouldBe(2);

        // An anonymous session has no memories and records nothing.
        var anonymous = await server.PostOkAsync("api/sessions", new { @interface = "cli" });
        await server.AppendAsync((string)anonymous["id"]!, "hello");
        (await server.GetOkAsync($"api/sessions/{(string)anonymous["id"]!}/context"))["memories"]!.AsArray().ShouldBeEmpty();
        (await server.AllEventsAsync((string)anonymous["id"]!)).ShouldNotContain(e => (string?)e["name"] == "memory_loaded");
    }

    [Fact]
    public async Task Closing_a_session_writes_its_conversation_memory_and_the_history_lists_it()
    {
        await using var server = await ApiServer.StartAsync();
        var session = await server.PostOkAsync("api/sessions", new { identity = new { @interface = "telegram", externalUserId = "conv-1" }, @interface = "telegram", title = "Slow training job" });
        var sessionId = (string)session["id"]!;
        var userId = (string)session["userId"]!;
        await server.AppendAsync(sessionId, "My training job is slow and the GPU temp is 82C on gpu-3.");
        await server.AppendAsync(sessionId, "82C under load points to thermal throttling; check the fan on gpu-3.", "assistant");

        await server.SendAsync(HttpMethod.Patch, $"api/sessions/{sessionId}", new { status = "closed" });
        JsonObject? memory = null;
        for (var i = 0; i < 100 && memory is null; i++)
        {
            memory = (await server.GetOkAsync($"api/memories?userId={userId}&kind=conversation"))["memories"]!.AsArray().FirstOrDefault()?.AsObject();
            if (memory is null)
            {
                await Task.Delay(100);
            }
        }

        memory.ShouldNotBeNull("the conversation memory was not written within 10 s of closing the session");
        ((string)memory["sessionId"]!).ShouldBe(sessionId);
        ((string)memory["content"]!).ShouldContain("82C");
        ((string)memory["content"]!).ShouldContain("Slow training job");

        var history = await server.GetOkAsync($"api/users/{userId}/conversations?limit=5");
        var conversation = history["conversations"]![0]!;
        ((string)conversation["sessionId"]!).ShouldBe(sessionId);
        ((string)conversation["title"]!).ShouldBe("Slow training job");
        ((string)conversation["lastMessage"]!).ShouldStartWith("82C under load");
        ((long)conversation["messages"]!).ShouldBe(2);
        ((string)conversation["status"]!).ShouldBe("closed");

        // A later question in another session finds the past conversation through search.
        var found = await server.PostOkAsync("api/search", new { userId, query = "thermal throttling gpu-3", scope = new[] { "memories" } }, HttpStatusCode.OK);
        ((string)found["results"]![0]!["id"]!).ShouldBe((string)memory["id"]!);
    }

    [Fact]
    public async Task With_a_model_configured_the_model_judges_which_facts_a_new_fact_replaces()
    {
        await using var model = await Context.FakeChatModel.StartAsync();
        await using var server = await ApiServer.StartAsync("--Continuum:Models:Chat:Endpoint", model.Endpoint, "--Continuum:Models:Chat:Model", "fake-model");
        var userId = (string)(await server.OpenSessionAsync("web", "judge-1"))["userId"]!;
        var berlin = await server.PostOkAsync("api/memories", new { userId, kind = "fact", content = "Alice lives in Berlin" });
        await server.PostOkAsync("api/memories", new { userId, kind = "fact", content = "Bob works at the bakery" });

        // No rule knows that relocating changes where Alice lives; the model does.
        var munich = await server.PostOkAsync("api/memories", new { userId, kind = "fact", content = "Alice relocated to Munich in May" });
        ((string)munich["action"]!).ShouldBe("superseded");
        munich["superseded"]!.AsArray().Select(m => (string)m!["id"]!).ShouldBe([(string)berlin["memory"]!["id"]!]);
        ((string)munich["memory"]!["subject"]!).ShouldBe("alice home");
        model.Prompts.ShouldContain(p => p.Contains("New fact: Alice relocated to Munich in May", StringComparison.Ordinal));

        // A model that fails leaves the decision to the rules.
        model.Mode = "fail";
        var second = await server.PostOkAsync("api/memories", new { userId, kind = "fact", content = "Bob works at the brewery" });
        ((string)second["action"]!).ShouldBe("superseded");
        ((string)second["superseded"]![0]!["content"]!).ShouldBe("Bob works at the bakery");
    }

    private static void Invalid(Reply reply, string field)
    {
        reply.ShouldBeProblem(HttpStatusCode.BadRequest);
        reply.Json["errors"]!.AsObject().Select(e => e.Key).ShouldContain(field, reply.Text);
    }
}
