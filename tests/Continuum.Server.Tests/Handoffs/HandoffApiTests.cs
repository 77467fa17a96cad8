using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;

namespace Continuum.Server.Tests.Handoffs;

public sealed class HandoffApiTests
{
    // The first session's handoff in the session-context layout, as people write it by hand.
    private const string SessionOne = """
        {
          "session_id": "2025-11-15-001",
          "started_at": "2025-11-15T20:00:00Z",
          "ended_at": "2025-11-15T22:30:00Z",
          "primary_goal": "Deploy sovereign AI system",
          "achievements": ["Deployed Llama 3.1 8B locally", "Built optimization engine"],
          "decisions_made": [
            { "decision": "Use Llama 3.1 8B instead of Claude", "reasoning": "Sovereignty + $0 cost", "impact": "$3,000-14,400/year savings" },
            { "decision": "Integrate LiteLLM for CrewAI", "reasoning": "Required for Ollama support", "impact": "All agents now sovereign" }
          ],
          "code_created": ["/agents/app/crew_manager.py - sovereign agents"],
          "insights_gained": ["CrewAI needs LiteLLM for custom endpoints"],
          "blockers_encountered": [{ "blocker": "CrewAI ImportError for LiteLLM", "solution": "pip install litellm", "lesson": "Check CrewAI dependencies early" }],
          "next_steps": [{ "task": "Deploy sovereign dashboard", "priority": "high" }, "Set up revenue tracking"],
          "files_modified": ["app/main.py"],
          "services_deployed": ["Ollama server with Llama 3.1 8B"],
          "metrics": { "agents_deployed": 5 },
          "handoff_notes": "Dashboard HTML ready but not deployed yet."
        }
        """;

    [Fact]
    public async Task The_second_session_starts_from_the_first_ones_briefing_and_closes_what_it_achieves()
    {
        await using var server = await ApiServer.StartAsync();

        var first = await SendJsonAsync(server, "api/handoffs?project=sovereign", SessionOne);
        first.Status.ShouldBe(HttpStatusCode.Created);
        first.Json["decisions"]!.AsArray().Select(d => (string)d!["id"]!).ShouldBe(["decision-001", "decision-002"]);
        first.Json["opened"]!.AsArray().Count.ShouldBe(2);

        var briefing = await GetTextAsync(server, "api/briefing?project=sovereign", "text/markdown");
        briefing.ShouldContain("Use Llama 3.1 8B instead of Claude");
        briefing.ShouldContain("[high] Deploy sovereign dashboard");
        briefing.ShouldContain("Set up revenue tracking");
        briefing.ShouldContain("Check CrewAI dependencies early");
        briefing.ShouldContain("Dashboard HTML ready but not deployed yet.");
        briefing.IndexOf("Open work", StringComparison.Ordinal).ShouldBeLessThan(briefing.IndexOf("Recent decisions", StringComparison.Ordinal));

        var second = await server.PostOkAsync("api/handoffs", new
        {
            project = "sovereign",
            sessionId = "2025-11-16-001",
            goal = "Ship the dashboard",
            achievements = new[] { "Deployed the sovereign dashboard behind nginx" },
            nextSteps = new[] { new { task = "Add login to the dashboard", priority = "medium" } },
            endedAt = "2025-11-16T11:00:00Z",
        });
        var closed = second["closed"]!.AsArray();
        closed.Count.ShouldBe(1);
        ((string)closed[0]!["task"]!).ShouldBe("Deploy sovereign dashboard");
        ((string)closed[0]!["status"]!).ShouldBe("done");

        var knowledge = await server.GetOkAsync("api/knowledge?project=sovereign");
        var pending = knowledge["pendingWork"]!.AsArray().ToDictionary(p => (string)p!["task"]!, p => (string)p!["status"]!);
        pending["Deploy sovereign dashboard"].ShouldBe("done");
        pending["Set up revenue tracking"].ShouldBe("open");
        pending["Add login to the dashboard"].ShouldBe("open");
        ((int)knowledge["totalHandoffs"]!).ShouldBe(2);

        var after = await GetTextAsync(server, "api/briefing?project=sovereign", "text/markdown");
        var open = after[after.IndexOf("## Open work", StringComparison.Ordinal)..];
        open = open[..open.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        open.ShouldNotContain("Deploy sovereign dashboard");
        open.ShouldContain("Add login to the dashboard");
        after.ShouldContain("Recently done");
    }

    [Fact]
    public async Task Parallel_handoffs_into_one_project_all_land_with_distinct_decision_ids()
    {
        await using var server = await ApiServer.StartAsync();
        const int Sessions = 16;

        var replies = await Task.WhenAll(Enumerable.Range(1, Sessions).Select(i => server.PostAsync("api/handoffs", new
        {
            project = "parallel",
            sessionId = $"ses-{i}",
            goal = $"Work item {i}",
            decisions = new[] { new { decision = $"Decision from session {i}" }, new { decision = $"Second decision from session {i}" } },
            nextSteps = new[] { new { task = $"Follow up on item {i} with the vendor", priority = "low" } },
        })));

        replies.ShouldAllBe(r => r.Status == HttpStatusCode.Created);
        var knowledge = await server.GetOkAsync("api/knowledge?project=parallel");
        var decisions = knowledge["decisions"]!.AsArray();
        decisions.Count.ShouldBe(Sessions * 2);
        decisions.Select(d => (string)d!["id"]!).ShouldBe(Enumerable.Range(1, Sessions * 2).Select(n => $"decision-{n:000}"));
        decisions.Select(d => (string)d!["decision"]!).Distinct().Count().ShouldBe(Sessions * 2);
        knowledge["pendingWork"]!.AsArray().Count.ShouldBe(Sessions);
        ((int)knowledge["totalHandoffs"]!).ShouldBe(Sessions);
    }

    [Fact]
    public async Task The_knowledge_base_as_of_a_past_date_is_what_it_was_then()
    {
        await using var server = await ApiServer.StartAsync();
        await server.PostOkAsync("api/handoffs", new
        {
            project = "history",
            goal = "Day one",
            decisions = new[] { new { decision = "Use SQLite first" } },
            nextSteps = new[] { new { task = "Write the migration tool", priority = "high" } },
            architecture = new { store = new { engine = "sqlite" } },
            endedAt = "2025-03-01T18:00:00Z",
        });
        await server.PostOkAsync("api/handoffs", new
        {
            project = "history",
            goal = "Day two",
            achievements = new[] { "Wrote the migration tool" },
            decisions = new[] { new { decision = "Add PostgreSQL for scale" } },
            architecture = new { store = new { engine = "postgres" } },
            endedAt = "2025-03-05T18:00:00Z",
        });

        var then = await server.GetOkAsync("api/knowledge?project=history&asOf=2025-03-02");
        var now = await server.GetOkAsync("api/knowledge?project=history");

        then["decisions"]!.AsArray().Select(d => (string)d!["decision"]!).ShouldBe(["Use SQLite first"]);
        ((string)then["pendingWork"]![0]!["status"]!).ShouldBe("open");
        ((string)then["architecture"]!["store"]!["engine"]!).ShouldBe("sqlite");
        ((int)then["totalHandoffs"]!).ShouldBe(1);

        now["decisions"]!.AsArray().Count.ShouldBe(2);
        ((string)now["pendingWork"]![0]!["status"]!).ShouldBe("done");
        ((string)now["architecture"]!["store"]!["engine"]!).ShouldBe("postgres");

        var day = await server.GetOkAsync("api/handoffs?project=history&from=2025-03-05&to=2025-03-05");
        day["handoffs"]!.AsArray().Select(h => (string)h!["goal"]!).ShouldBe(["Day two"]);
        var range = await server.GetOkAsync("api/handoffs?project=history&from=2025-02-01&to=2025-03-31");
        range["handoffs"]!.AsArray().Select(h => (string)h!["goal"]!).ShouldBe(["Day one", "Day two"]);

        var pastBriefing = await GetTextAsync(server, "api/briefing?project=history&asOf=2025-03-02", "text/markdown");
        pastBriefing.ShouldContain("Write the migration tool");
        pastBriefing.ShouldNotContain("PostgreSQL");
    }

    [Fact]
    public async Task A_handoff_renders_as_the_handoff_document_with_accept_markdown()
    {
        await using var server = await ApiServer.StartAsync();
        var created = await SendJsonAsync(server, "api/handoffs?project=docs", SessionOne);
        var id = (string)created.Json["handoff"]!["id"]!;

        var markdown = await GetTextAsync(server, $"api/handoffs/{id}", "text/markdown");
        var json = await server.GetOkAsync($"api/handoffs/{id}");

        markdown.ShouldStartWith("# Session Handoff - 2025-11-15");
        foreach (var heading in new[] { "## Quick Summary", "## What Was Accomplished", "## Current State", "## Pending Items", "## Key Learnings", "## Decisions Made This Session", "## Code Locations", "## Next Session Should Start With" })
        {
            markdown.ShouldContain(heading);
        }

        markdown.ShouldContain("1. ✅ Deployed Llama 3.1 8B locally");
        markdown.ShouldContain("CrewAI ImportError for LiteLLM -> solved: pip install litellm -> lesson: Check CrewAI dependencies early");
        ((string)json["goal"]!).ShouldBe("Deploy sovereign AI system");
        ((int)json["metrics"]!["agents_deployed"]!).ShouldBe(5);
    }

    [Fact]
    public async Task The_briefing_stays_within_its_budget_and_keeps_the_most_important_first()
    {
        await using var server = await ApiServer.StartAsync();
        for (var i = 0; i < 40; i++)
        {
            await server.PostOkAsync("api/handoffs", new
            {
                project = "big",
                goal = $"Session {i}",
                decisions = new[] { new { decision = $"Decision {i}: " + string.Concat(Enumerable.Repeat("with a long explanation of the trade-offs ", 5)) } },
                insights = new[] { $"Insight number {i} about the caching layer and its eviction policy" },
                nextSteps = new[] { new { task = $"Task {i} to finish the reporting pipeline stage", priority = i == 7 ? "high" : "low" } },
            });
        }

        foreach (var budget in new[] { 150, 400, 2000 })
        {
            var briefing = JsonNode.Parse(await GetTextAsync(server, $"api/briefing?project=big&budget={budget}", "application/json"))!;
            ((int)briefing["tokens"]!).ShouldBeLessThanOrEqualTo(budget);
            ((int)briefing["omitted"]!).ShouldBeGreaterThan(0);
            ((string)briefing["markdown"]!).ShouldContain("[high] Task 7 to finish");
        }

        var wide = JsonNode.Parse(await GetTextAsync(server, "api/briefing?project=big&budget=2000", "application/json"))!;
        var markdown = (string)wide["markdown"]!;
        markdown.ShouldContain("Decision 39");
        markdown.IndexOf("[high] Task 7", StringComparison.Ordinal).ShouldBeLessThan(markdown.IndexOf("[low]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_draft_picks_decisions_and_next_steps_out_of_the_sessions_own_words()
    {
        await using var server = await ApiServer.StartAsync();
        var session = await server.OpenSessionAsync("cli", "drafter");
        var id = (string)session["id"]!;
        await server.AppendAsync(id, "The GPU on gpu-01 hits 82C under load. What should we do?");
        await server.AppendAsync(id, "We decided to replace the fan on gpu-01 because the thermal paste is fine.", "assistant");
        await server.AppendAsync(id, "Fixed the fan on gpu-01, it now runs at 61C.", "assistant");
        await server.AppendAsync(id, "Next step: schedule a stress test of gpu-01 tomorrow, it is urgent.", "assistant");
        await server.AppendAsync(id, "Edited /etc/fancontrol to raise the minimum speed.", "assistant");

        var draft = await server.PostOkAsync($"api/sessions/{id}/handoff-draft?project=lab", new { }, HttpStatusCode.OK);

        ((string)draft["project"]!).ShouldBe("lab");
        ((string)draft["sessionId"]!).ShouldBe(id);
        var decision = draft["decisions"]!.AsArray().ShouldHaveSingleItem()!;
        ((string)decision["decision"]!).ShouldBe("We decided to replace the fan on gpu-01");
        ((string)decision["reasoning"]!).ShouldBe("the thermal paste is fine");
        var step = draft["nextSteps"]!.AsArray().ShouldHaveSingleItem()!;
        ((string)step["priority"]!).ShouldBe("high");
        draft["achievements"]!.AsArray().Select(a => (string)a!).ShouldContain("Fixed the fan on gpu-01, it now runs at 61C.");
        draft["filesModified"]!.AsArray().Select(a => (string)a!).ShouldContain("/etc/fancontrol");

        // The draft, corrected or not, is a valid handoff.
        var stored = await server.PostOkAsync("api/handoffs", draft);
        ((string)stored["handoff"]!["project"]!).ShouldBe("lab");
    }

    [Fact]
    public async Task With_a_model_configured_the_model_drafts_and_a_failing_model_falls_back_to_the_rules()
    {
        await using var model = await Context.FakeChatModel.StartAsync();
        await using var server = await ApiServer.StartAsync(
            "--Continuum:Models:Chat:Endpoint", model.Endpoint,
            "--Continuum:Models:Chat:Model", "fake-model",
            "--Continuum:Models:Chat:Timeout", "00:00:02",
            "--Continuum:Context:CompressionEnabled", "false");
        var id = (string)(await server.OpenSessionAsync("cli", "model-drafter"))["id"]!;
        await server.AppendAsync(id, "We decided to use PostgreSQL because it scales.", "assistant");

        var drafted = await server.PostOkAsync($"api/sessions/{id}/handoff-draft?project=lab", new { }, HttpStatusCode.OK);
        model.Mode = "fail";
        var fallback = await server.PostOkAsync($"api/sessions/{id}/handoff-draft?project=lab", new { }, HttpStatusCode.OK);

        ((string)drafted["goal"]!).ShouldBe("MODEL GOAL");
        ((string)drafted["decisions"]![0]!["decision"]!).ShouldBe("Model decision");
        ((string)drafted["nextSteps"]![0]!["priority"]!).ShouldBe("high");
        ((string)drafted["achievements"]![0]!).ShouldContain("We decided to use PostgreSQL");
        ((string)drafted["sessionId"]!).ShouldBe(id);
        ((string)fallback["decisions"]![0]!["decision"]!).ShouldBe("We decided to use PostgreSQL");
        ((string)fallback["decisions"]![0]!["reasoning"]!).ShouldBe("it scales");
    }

    [Fact]
    public async Task Bad_handoff_input_gets_problem_details_and_stores_nothing()
    {
        await using var server = await ApiServer.StartAsync();

        (await server.PostAsync("api/handoffs", new { project = "p" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.PostAsync("api/handoffs", new { goal = "no project" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.PostAsync("api/handoffs", new { project = "bad name!", goal = "x" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.PostAsync("api/handoffs", new { project = "p", goal = "x", nextSteps = new[] { new { task = "t", priority = "whenever" } } })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.PostAsync("api/handoffs", new { project = "p", goal = "x", startedAt = "2025-01-02T00:00:00Z", endedAt = "2025-01-01T00:00:00Z" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.PostAsync("api/handoffs", new { project = "p", goal = "x", achievements = "not a list" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.PostAsync("api/handoffs", new { project = "p", goal = "x", endedAt = "yesterday-ish" })).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.SendRawAsync(HttpMethod.Post, "api/handoffs", "{\"project\": \"p\", ")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/handoffs/hof_missing")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await server.GetAsync("api/handoffs?project=p&from=someday")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/briefing?project=p&budget=5")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/knowledge")).ShouldBeProblem(HttpStatusCode.BadRequest);

        var projects = await server.GetOkAsync("api/projects");
        projects["projects"]!.AsArray().ShouldBeEmpty();
        projects["next"].ShouldBeNull();
    }

    [Fact]
    public async Task The_cli_creates_shows_briefs_lists_and_exports_against_a_running_server()
    {
        await using var server = await ApiServer.StartAsync();
        var url = server.Http.BaseAddress!.ToString();
        var work = Path.Combine(server.DataDirectory, "cli-work");
        Directory.CreateDirectory(work);
        var file = Path.Combine(work, "handoff.json");
        await File.WriteAllTextAsync(file, SessionOne);

        var create = await CliRun.RunAsync("--server", url, "--json", "handoff", "create", "--project", "cli-proj", "--file", file);
        create.ExitCode.ShouldBe(0, create.Err);
        var id = (string)JsonNode.Parse(create.Out)!["handoff"]!["id"]!;

        var show = await CliRun.RunAsync("--server", url, "handoff", "show", id);
        show.ExitCode.ShouldBe(0, show.Err);
        show.Out.ShouldContain("## Decisions Made This Session");

        var briefing = await CliRun.RunAsync("--server", url, "briefing", "cli-proj", "--budget", "500");
        briefing.ExitCode.ShouldBe(0, briefing.Err);
        briefing.Out.ShouldContain("# Briefing: cli-proj");
        briefing.Err.ShouldContain("of 500 tokens");

        var timeline = await CliRun.RunAsync("--server", url, "--json", "timeline", "cli-proj", "--since", "2025-11-15", "--until", "2025-11-15");
        timeline.ExitCode.ShouldBe(0, timeline.Err);
        JsonNode.Parse(timeline.Out)!["handoffs"]!.AsArray().Count.ShouldBe(1);

        var exportDir = Path.Combine(work, "export");
        var export = await CliRun.RunAsync("--server", url, "handoff", "export", "--project", "cli-proj", "--dir", exportDir);
        export.ExitCode.ShouldBe(0, export.Err);
        File.ReadAllText(Path.Combine(exportDir, "SESSION_HANDOFFS", "2025-11-15_session_1.md")).ShouldStartWith("# Session Handoff - 2025-11-15");
        var unified = JsonNode.Parse(File.ReadAllText(Path.Combine(exportDir, "UNIFIED_KNOWLEDGE.json")))!;
        ((int)unified["total_sessions"]!).ShouldBe(1);
        unified["core_decisions"]!.AsArray().Count.ShouldBe(2);
        JsonNode.Parse(File.ReadAllText(Path.Combine(exportDir, "DECISIONS_LOG.json")))!.AsArray().Count.ShouldBe(2);
        ((string)JsonNode.Parse(File.ReadAllText(Path.Combine(exportDir, "CURRENT_SESSION.json")))!["primary_goal"]!).ShouldBe("Deploy sovereign AI system");

        var missing = await CliRun.RunAsync("--server", url, "handoff", "create", "--project", "cli-proj", "--file", Path.Combine(work, "nope.json"));
        missing.ExitCode.ShouldBe(1);
        missing.Err.ShouldContain("No such file");
        var bad = await CliRun.RunAsync("--server", url, "briefing", "bad name!");
        bad.ExitCode.ShouldBe(1);
        bad.Err.ShouldContain("project");
    }

    private static async Task<Reply> SendJsonAsync(ApiServer server, string path, string json) =>
        await server.SendRawAsync(HttpMethod.Post, path, json);

    private static async Task<string> GetTextAsync(ApiServer server, string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        using var response = await server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(accept);
        return text;
    }
}
