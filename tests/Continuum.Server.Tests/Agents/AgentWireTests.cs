using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Continuum.Agents;
using Continuum.Client;
using Continuum.Server.Tests.Api;

namespace Continuum.Server.Tests.Agents;

/// <summary>The agent endpoints' wire convention: 201 with Location on a create, 200 on an update, and cursor paging.</summary>
public sealed class AgentWireTests
{
    [Fact]
    public async Task Registering_a_new_agent_answers_201_with_its_location_and_registering_again_answers_200()
    {
        await using var server = await ApiServer.StartAsync();

        using var first = await server.Http.PutAsJsonAsync("api/agents/wire-1", new { agentName = "Wire", agentType = "test" });
        using var again = await server.Http.PutAsJsonAsync("api/agents/wire-1", new { agentName = "Wire renamed", agentType = "test" });

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        first.Headers.Location!.ToString().ShouldBe("/api/agents/wire-1");
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        var located = await server.GetOkAsync(first.Headers.Location.ToString().TrimStart('/'));
        ((string)located["agentName"]!).ShouldBe("Wire renamed");
    }

    [Fact]
    public async Task Writing_a_new_shared_key_answers_201_its_next_version_200_and_a_write_after_deletion_201()
    {
        await using var server = await ApiServer.StartAsync();

        using var created = await server.Http.PutAsJsonAsync("api/shared/wire/key", new { sessionId = "s", value = 1 });
        using var updated = await server.Http.PutAsJsonAsync("api/shared/wire/key", new { sessionId = "s", value = 2 });
        (await server.SendAsync(HttpMethod.Delete, "api/shared/wire/key?sessionId=s")).Status.ShouldBe(HttpStatusCode.NoContent);
        using var recreated = await server.Http.PutAsJsonAsync("api/shared/wire/key", new { sessionId = "s", value = 3 });

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        created.Headers.Location!.ToString().ShouldBe("/api/shared/wire/key");
        updated.StatusCode.ShouldBe(HttpStatusCode.OK);
        recreated.StatusCode.ShouldBe(HttpStatusCode.Created);
        ((long)(await recreated.Content.ReadFromJsonAsync<JsonObject>())!["version"]!).ShouldBe(4);
        ((int)(await server.GetOkAsync("api/shared/wire/key"))["value"]!).ShouldBe(3);
    }

    [Fact]
    public async Task Sending_a_message_answers_201_with_a_location_that_reads_the_message()
    {
        await using var server = await ApiServer.StartAsync();

        using var sent = await server.Http.PostAsJsonAsync("api/messages", new { from = "a", to = "b", subject = "hello", body = "there" });

        sent.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (long)(await sent.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        sent.Headers.Location!.ToString().ShouldBe($"/api/messages/{id}");
        var read = await server.GetOkAsync($"api/messages/{id}");
        ((string)read["subject"]!).ShouldBe("hello");
        (await server.GetAsync("api/messages/987654")).ShouldBeProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Agents_page_by_cursor_in_registration_order_until_next_is_null()
    {
        await using var server = await ApiServer.StartAsync();
        var ids = Enumerable.Range(1, 5).Select(i => $"pager-{i}").ToList();
        foreach (var id in ids)
        {
            (await server.SendAsync(HttpMethod.Put, $"api/agents/{id}", new { agentName = id, agentType = "test", @namespace = "paging" })).Status.ShouldBe(HttpStatusCode.Created);
        }

        var pages = await AllPagesAsync(server, "api/agents?namespace=paging&limit=2", "agents");

        pages.Select(p => p.Count).ShouldBe([2, 2, 1]);
        pages.SelectMany(p => p).Select(a => (string)a!["sessionId"]!).ShouldBe(ids);
    }

    [Fact]
    public async Task An_inbox_a_thread_a_keys_versions_and_a_namespaces_entries_page_by_cursor()
    {
        await using var server = await ApiServer.StartAsync();
        var first = await server.PostOkAsync("api/messages", new { from = "writer", to = "reader", subject = "m1" });
        for (var i = 2; i <= 5; i++)
        {
            await server.PostOkAsync("api/messages", new { from = "writer", to = "reader", subject = $"m{i}", replyTo = (long)first["id"]! });
        }

        for (var i = 1; i <= 5; i++)
        {
            (await server.SendAsync(HttpMethod.Put, "api/shared/pages/versioned", new { sessionId = "s", value = i })).Status.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
            (await server.SendAsync(HttpMethod.Put, $"api/shared/pages/key-{i}", new { sessionId = "s", value = i })).Status.ShouldBe(HttpStatusCode.Created);
        }

        var inbox = await AllPagesAsync(server, "api/agents/reader/inbox?limit=2", "messages");
        var thread = await AllPagesAsync(server, $"api/messages/{(long)first["id"]!}/thread?limit=3", "messages");
        var versions = await AllPagesAsync(server, "api/shared/pages/versioned?all=true&limit=2", "entries");
        var entries = await AllPagesAsync(server, "api/shared/pages?pattern=key-*&limit=2", "entries");

        inbox.Select(p => p.Count).ShouldBe([2, 2, 1]);
        inbox.SelectMany(p => p).Select(m => (string)m!["subject"]!).ShouldBe(["m1", "m2", "m3", "m4", "m5"]);
        thread.Select(p => p.Count).ShouldBe([3, 2]);
        thread.SelectMany(p => p).Select(m => (string)m!["subject"]!).ShouldBe(["m1", "m2", "m3", "m4", "m5"]);
        versions.SelectMany(p => p).Select(e => (long)e!["version"]!).ShouldBe([1L, 2, 3, 4, 5]);
        entries.Select(p => p.Count).ShouldBe([2, 2, 1]);
        entries.SelectMany(p => p).Select(e => (string)e!["key"]!).ShouldBe(["key-1", "key-2", "key-3", "key-4", "key-5"]);
    }

    [Fact]
    public async Task A_cursor_no_listing_gave_out_or_a_limit_out_of_range_is_a_400_problem()
    {
        await using var server = await ApiServer.StartAsync();
        (await server.SendAsync(HttpMethod.Put, "api/shared/bad/k", new { sessionId = "s", value = 1 })).Status.ShouldBe(HttpStatusCode.Created);
        var message = await server.PostOkAsync("api/messages", new { from = "a", to = "b", subject = "x" });

        (await server.GetAsync("api/agents?cursor=%%%")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/agents?cursor=bm90LWEtY3Vyc29y")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/agents?limit=0")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/agents/b/inbox?cursor=abc!")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync($"api/messages/{(long)message["id"]!}/thread?limit=100000")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/shared/bad/k?all=true&cursor=-1")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/shared/bad?cursor=***")).ShouldBeProblem(HttpStatusCode.BadRequest);
        ((int)(await server.GetOkAsync("api/shared/bad/k"))["value"]!).ShouldBe(1);
    }

    [Fact]
    public async Task The_client_reads_created_or_updated_and_follows_pages_over_http()
    {
        await using var server = await ApiServer.StartAsync();
        var client = new ContinuumClient(server.Http);

        var registered = await client.RegisterAsync("client-1", new AgentRegistration { AgentName = "One", AgentType = "test", Namespace = "client" });
        var reregistered = await client.RegisterAsync("client-1", new AgentRegistration { AgentName = "One", AgentType = "test", Namespace = "client" });
        await client.RegisterAsync("client-2", new AgentRegistration { AgentName = "Two", AgentType = "test", Namespace = "client" });
        var firstPage = await client.ListAgentsAsync(new AgentQuery(Namespace: "client", Limit: 1));
        var secondPage = await client.ListAgentsAsync(new AgentQuery(Namespace: "client", Limit: 1, Cursor: firstPage.Next));
        var written = await client.SetSharedAsync("client", "k", new SharedWrite { SessionId = "client-1", Value = System.Text.Json.JsonSerializer.SerializeToElement("v") });
        var rewritten = await client.SetSharedAsync("client", "k", new SharedWrite { SessionId = "client-1", Value = System.Text.Json.JsonSerializer.SerializeToElement("w"), ExpectedVersion = 1 });

        registered.Created.ShouldBeTrue();
        reregistered.Created.ShouldBeFalse();
        firstPage.Items.ShouldHaveSingleItem().SessionId.ShouldBe("client-1");
        secondPage.Items.ShouldHaveSingleItem().SessionId.ShouldBe("client-2");
        secondPage.Next.ShouldBeNull();
        (written.Created, written.Value.Version).ShouldBe((true, 1L));
        (rewritten.Created, rewritten.Value.Version).ShouldBe((false, 2L));
    }

    [Fact]
    public async Task The_stream_client_follows_an_inbox_and_resumes_after_the_last_cursor_it_yielded()
    {
        await using var server = await ApiServer.StartAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var subjects = new List<string>();
        await server.PostOkAsync("api/messages", new { from = "a", to = "follower", subject = "before" });

        await foreach (var item in ContinuumStreamClient.FollowAsync(server.Http.BaseAddress!, ["inbox:follower"], new Dictionary<string, long> { ["inbox:follower"] = 0 }, cancellationToken: stop.Token))
        {
            subjects.Add(item.As<HubMessage>().Subject);
            if (subjects.Count == 1)
            {
                await server.PostOkAsync("api/messages", new { from = "a", to = "follower", subject = "after" });
            }
            else
            {
                break;
            }
        }

        subjects.ShouldBe(["before", "after"]);
    }

    private static async Task<List<JsonArray>> AllPagesAsync(ApiServer server, string path, string items)
    {
        var pages = new List<JsonArray>();
        string? next = null;
        do
        {
            var page = await server.GetOkAsync(next is null ? path : $"{path}&cursor={Uri.EscapeDataString(next)}");
            pages.Add(page[items]!.AsArray());
            next = (string?)page["next"];
            pages.Count.ShouldBeLessThan(20, "paging must end");
        }
        while (next is not null);
        return pages;
    }
}
