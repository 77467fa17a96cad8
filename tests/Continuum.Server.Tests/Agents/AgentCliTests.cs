using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Handoffs;

namespace Continuum.Server.Tests.Agents;

public sealed class AgentCliTests
{
    [Fact]
    public async Task The_planner_developer_reviewer_workflow_runs_through_the_cli_against_a_server()
    {
        await using var server = await ApiServer.StartAsync();
        var url = server.Http.BaseAddress!.ToString();
        async Task<JsonNode> Json(params string[] args)
        {
            var run = await CliRun.RunAsync(["--server", url, "--json", .. args]);
            run.ExitCode.ShouldBe(0, $"continuum {string.Join(' ', args)}: {run.Err}");
            return JsonNode.Parse(run.Out)!;
        }

        await Json("register", "planner", "Planner", "Claude", "--user", "Alexa", "--capabilities", "planning");
        await Json("register", "developer", "Developer", "GPT-4", "--user", "Alexa", "--capabilities", "python,tests");
        await Json("register", "reviewer", "Reviewer", "Claude", "--capabilities", "review");

        var plan = await Json("memory-set", "planner", "plan", """{"steps":["cart","checkout"]}""", "--type", "task", "--tags", "plan,active");
        ((long)plan["version"]!).ShouldBe(1);
        var stale = await CliRun.RunAsync("--server", url, "memory-set", "developer", "plan", "\"overwrite\"", "--expect-version", "0");
        stale.ExitCode.ShouldBe(1);
        stale.Err.ShouldContain("version 1");

        var offer = await Json("broadcast", "planner", "Build the cart", "Who takes it?", "--type", "task_offer");
        ((int)offer["recipients"]!).ShouldBe(2);
        var accept = await Json("send", "developer", "planner", "Taking the cart", "On it", "--type", "task_accept", "--reply-to", ((long)offer["id"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        ((long)accept["threadId"]!).ShouldBe((long)offer["id"]!);
        await Json("status", "developer", "working", "--task", "cart");
        await Json("send", "developer", "reviewer", "Cart is yours", "PR 12 ready", "--type", "handoff", "--data", """{"pr":12}""");

        var working = (await Json("list", "--status", "working")).AsArray();
        working.Select(a => (string)a!["sessionId"]!).ShouldBe(["developer"]);
        var handoffs = (await Json("messages", "reviewer", "--type", "handoff", "--ack")).AsArray();
        ((int)handoffs.ShouldHaveSingleItem()!["data"]!["pr"]!).ShouldBe(12);
        (await Json("messages", "reviewer", "--unread")).AsArray().Select(m => (string)m!["type"]!).ShouldBe(["task_offer"]);
        var found = (await Json("memory-search", "--pattern", "pl*", "--tags", "plan")).AsArray();
        ((string)found.ShouldHaveSingleItem()!["author"]!).ShouldBe("planner");
        var stats = await Json("stats");
        ((int)stats["agents"]!["total"]!).ShouldBe(3);

        var table = await CliRun.RunAsync("--server", url, "list");
        table.ExitCode.ShouldBe(0);
        table.Out.ShouldContain("SESSION ID");
        table.Out.ShouldContain("Total: 3");
    }
}
