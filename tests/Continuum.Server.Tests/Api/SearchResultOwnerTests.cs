using System.Net;

namespace Continuum.Server.Tests.Api;

public sealed class SearchResultOwnerTests
{
    [Fact]
    public async Task Each_search_result_says_which_user_and_agent_it_belongs_to()
    {
        await using var server = await ApiServer.StartAsync();
        var human = await server.OpenSessionAsync("telegram", "owner-1");
        var userId = (string)human["userId"]!;
        var agent = await server.PostOkAsync("api/sessions", new { userId, @interface = "agent", interfaceId = "host-1", agentId = "planner", mode = "new" });
        await server.AppendAsync((string)human["id"]!, "The zookeeper on kafka-2 runs version 3.8.");
        await server.AppendAsync((string)agent["id"]!, "Planned the zookeeper upgrade for kafka-2.", "assistant");
        await server.PostOkAsync("api/memories", new { userId, kind = "fact", content = "Zookeeper upgrades happen on Fridays", agentId = "planner" });

        var found = await server.PostOkAsync("api/search", new { userId, query = "zookeeper upgrade", limit = 10 }, HttpStatusCode.OK);

        var results = found["results"]!.AsArray();
        results.Count.ShouldBe(3);
        results.ShouldAllBe(r => (string)r!["userId"]! == userId);
        results.Select(r => ((string)r!["kind"]!, (string?)r!["sessionId"], (string?)r!["agentId"])).ShouldBe(
        [
            ("event", (string?)human["id"], (string?)null),
            ("event", (string?)agent["id"], "planner"),
            ("memory", null, "planner"),
        ], ignoreOrder: true);
    }
}
