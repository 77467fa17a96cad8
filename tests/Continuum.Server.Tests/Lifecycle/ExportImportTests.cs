using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;

namespace Continuum.Server.Tests.Lifecycle;

public sealed class ExportImportTests
{
    [Fact]
    public async Task A_tenant_round_trips_exactly_through_an_empty_store_and_a_second_import_changes_nothing()
    {
        await using var source = await ApiServer.StartAsync();
        var seeded = await SeedAsync(source);
        var first = await ExportAsync(source, "api/export");
        var kinds = first.Skip(1).Select(l => (string)JsonNode.Parse(l)!["kind"]!).Distinct().ToList();
        kinds.ShouldBe(
            ["users", "identities", "sessions", "session_links", "events", "summaries", "session_entities", "user_entities", "user_entity_sessions",
             "memories", "handoffs", "kb_decisions", "kb_insights", "kb_insight_mentions", "kb_pending", "kb_architecture", "shared_keys", "shared_entries"],
            ignoreOrder: true);

        await using var target = await ApiServer.StartAsync();
        var imported = await ImportAsync(target, string.Join('\n', first) + "\n");
        imported.Status.ShouldBe(HttpStatusCode.OK, imported.Text);
        ((long)imported.Json["records"]!).ShouldBe(first.Count - 1);
        ((long)imported.Json["skipped"]!).ShouldBe(0);

        var second = await ExportAsync(target, "api/export");
        second.Skip(1).ShouldBe(first.Skip(1), "the records of the second export are the first's, byte for byte");
        JsonNode.Parse(second[0])!["format"]!.GetValue<string>().ShouldBe("continuum.export");

        var again = await ImportAsync(target, string.Join('\n', first) + "\n");
        again.Status.ShouldBe(HttpStatusCode.OK, again.Text);
        ((long)again.Json["skipped"]!).ShouldBe(first.Count - 1);
        again.Json["inserted"]!.AsObject().Sum(k => (long)k.Value!).ShouldBe(0);
        (await ExportAsync(target, "api/export")).Skip(1).ShouldBe(first.Skip(1));

        // The imported store answers like the original.
        (await target.AllEventsAsync(seeded.SessionId)).Select(e => (string)e["content"]!).ShouldBe((await source.AllEventsAsync(seeded.SessionId)).Select(e => (string)e["content"]!));
        var found = await target.PostOkAsync("api/search", new { userId = seeded.UserId, query = "thermal throttling" }, HttpStatusCode.OK);
        found["results"]!.AsArray().Count.ShouldBeGreaterThan(0);
        var audit = (await target.GetOkAsync("api/audit"))["entries"]!.AsArray();
        audit.Count.ShouldBe(2);
        audit.ShouldAllBe(e => (string)e!["action"]! == "import");
    }

    [Fact]
    public async Task A_user_export_holds_only_that_user_and_a_session_export_only_that_session()
    {
        await using var server = await ApiServer.StartAsync();
        var seeded = await SeedAsync(server);
        var other = await server.OpenSessionAsync("web", "someone-else");
        await server.AppendAsync((string)other["id"]!, "Unrelated words.");

        var user = await ExportAsync(server, $"api/users/{seeded.UserId}/export");
        var session = await ExportAsync(server, $"api/sessions/{seeded.SessionId}/export");
        var project = await ExportAsync(server, "api/projects/gpu-lab/export");

        JsonNode.Parse(user[0])!["scope"]!.GetValue<string>().ShouldBe("user");
        user.ShouldNotContain(l => l.Contains("someone-else") || l.Contains("Unrelated words"));
        user.Count(l => l.Contains("\"kind\":\"events\"")).ShouldBe(seeded.Events + 2);
        user.ShouldNotContain(l => l.Contains("\"kind\":\"handoffs\""));
        session.Count(l => l.Contains("\"kind\":\"events\"")).ShouldBe(seeded.Events);
        session.Count(l => l.Contains("\"kind\":\"sessions\"")).ShouldBe(1);
        project.Skip(1).Select(l => (string)JsonNode.Parse(l)!["kind"]!).Distinct().ShouldContain("handoffs");
        project.ShouldNotContain(l => l.Contains("\"kind\":\"events\""));
        (await server.GetAsync("api/users/usr_nobody/export")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.GetAsync("api/sessions/ses_nobody/export")).ShouldBeProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_bad_line_is_a_400_naming_its_line_and_nothing_of_its_batch_is_written()
    {
        await using var source = await ApiServer.StartAsync();
        var seeded = await SeedAsync(source);
        var lines = await ExportAsync(source, $"api/users/{seeded.UserId}/export");
        await using var target = await ApiServer.StartAsync();

        var broken = lines.Take(5).Append("{\"kind\":\"events\",\"row\":{\"seq\":\"one\"}}").Concat(lines.Skip(5));
        var reply = await ImportAsync(target, string.Join('\n', broken));
        reply.ShouldBeProblem(HttpStatusCode.BadRequest);
        reply.Json["errors"]!.AsObject().Select(e => e.Key).ShouldBe(["line 6"]);

        (await ImportAsync(target, "{\"format\":\"other\"}\n")).ShouldBeProblem(HttpStatusCode.BadRequest).ShouldNotBeNull();
        (await ImportAsync(target, lines[0] + "\n{\"kind\":\"nonsense\",\"row\":{}}\n")).Json["errors"]!["line 2"].ShouldNotBeNull();
        (await ImportAsync(target, lines[0] + "\nnot json\n")).ShouldBeProblem(HttpStatusCode.BadRequest);
        using (var wrongType = new StringContent(lines[0], Encoding.UTF8, "application/json"))
        {
            using var response = await target.Http.PostAsync("api/import", wrongType);
            response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        }

        (await target.GetAsync($"api/users/{seeded.UserId}")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await ExportAsync(target, "api/export")).Count.ShouldBe(1, "nothing was imported: only the header is exported");
    }

    [Fact]
    public async Task The_cli_exports_to_a_file_and_imports_it_into_another_server()
    {
        await using var source = await ApiServer.StartAsync();
        await SeedAsync(source);
        await using var target = await ApiServer.StartAsync();
        var file = Path.Combine(source.DataDirectory, "tenant.jsonl");

        var exported = await Handoffs.CliRun.RunAsync("--server", source.Http.BaseAddress!.ToString(), "--json", "export", "--output", file);
        exported.ExitCode.ShouldBe(0, exported.Err);
        var records = (long)JsonNode.Parse(exported.Out)!["records"]!;
        records.ShouldBe(File.ReadAllLines(file).Length - 1);

        var imported = await Handoffs.CliRun.RunAsync("--server", target.Http.BaseAddress!.ToString(), "--json", "import", file);
        imported.ExitCode.ShouldBe(0, imported.Err);
        ((long)JsonNode.Parse(imported.Out)!["records"]!).ShouldBe(records);
        (await ExportAsync(target, "api/export")).Skip(1).ShouldBe(File.ReadAllLines(file).Skip(1));
    }

    private sealed record Seeded(string UserId, string SessionId, int Events);

    private static async Task<Seeded> SeedAsync(ApiServer server)
    {
        var session = await server.OpenSessionAsync("telegram", "ann-4242");
        var sessionId = (string)session["id"]!;
        var userId = (string)session["userId"]!;
        var events = 0;
        for (var i = 0; i < 15; i++)
        {
            await server.PostOkAsync($"api/sessions/{sessionId}/events", new { role = "user", content = $"The GPU on node gpu-{i} reads {70 + i}C under load, Ünïcode ✓.", metadata = new { attempt = i, tags = new[] { "gpu" } } });
            await server.AppendAsync(sessionId, $"{70 + i}C is thermal throttling territory; check the fan on gpu-{i}.", "assistant");
            events += 2;
        }

        (await server.SendRawAsync(HttpMethod.Post, $"api/sessions/{sessionId}/events", "{\n  \"role\": \"user\",\n  \"content\": \"pretty\",\n  \"metadata\": {\n    \"a\": 1\n  }\n}")).Status.ShouldBe(HttpStatusCode.Created);
        events++;
        (await server.PostAsync($"api/sessions/{sessionId}/summarize", new { })).Status.ShouldBe(HttpStatusCode.OK);
        var fork = await server.PostOkAsync($"api/sessions/{sessionId}/fork", new { atSeq = 2 });
        await server.PostOkAsync("api/memories", new { userId, kind = "fact", content = "GPU temp is 82C" });
        (await server.PostAsync($"api/sessions/{sessionId}/remember", null)).Status.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
        await server.PostOkAsync("api/handoffs", new
        {
            project = "gpu-lab",
            sessionId,
            goal = "Cool the GPUs",
            decisions = new[] { new { decision = "Replace the fan on gpu-3", reasoning = "It reads 82C" } },
            insights = new[] { "Fans fail first" },
            nextSteps = new[] { new { task = "Order fans", priority = "high" } },
            architecture = new { cooling = new { kind = "air" } },
            hours = 1.5,
        });
        (await server.SendAsync(HttpMethod.Put, "api/shared/gpu-lab/plan", new { sessionId, value = new { step = 1 }, type = "task", tags = new[] { "plan" } })).Status.ShouldBe(HttpStatusCode.Created);
        (await server.SendAsync(HttpMethod.Put, "api/shared/gpu-lab/plan", new { sessionId, value = new { step = 2 }, type = "task" })).Status.ShouldBe(HttpStatusCode.OK);
        ((string)fork["parentId"]!).ShouldBe(sessionId);
        return new Seeded(userId, sessionId, events);
    }

    private static async Task<List<string>> ExportAsync(ApiServer server, string path)
    {
        using var response = await server.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        text.ShouldEndWith("\n");
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static async Task<Reply> ImportAsync(ApiServer server, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await server.Http.PostAsync("api/import", content);
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }
}
