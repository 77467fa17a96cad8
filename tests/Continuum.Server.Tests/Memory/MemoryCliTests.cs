using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Handoffs;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Continuum.Server.Tests.Memory;

public sealed class MemoryCliTests
{
    [Fact]
    public async Task Search_memories_and_conversations_work_from_the_cli_against_a_server()
    {
        await using var server = await ApiServer.StartAsync();
        var url = server.Http.BaseAddress!.ToString();
        var session = await server.OpenSessionAsync("telegram", "cli-mem-1");
        var userId = (string)session["userId"]!;
        await server.AppendAsync((string)session["id"]!, "The GPU temp 82C on gpu-3 worries me.");
        async Task<JsonNode> Json(params string[] args)
        {
            var run = await CliRun.RunAsync(["--server", url, "--json", .. args]);
            run.ExitCode.ShouldBe(0, $"continuum {string.Join(' ', args)}: {run.Err}");
            return JsonNode.Parse(run.Out)!;
        }

        var found = await Json("search", "gpu temperature", "--user", userId);
        ((string)found["results"]![0]!["content"]!).ShouldContain("82C");

        var first = await Json("memories", "add", "GPU temp is 82C", "--user", userId, "--kind", "fact");
        var second = await Json("memories", "add", "after the fan fix it is 61C", "--user", userId, "--kind", "fact");
        ((string)second["action"]!).ShouldBe("superseded");
        ((string)second["superseded"]![0]!["id"]!).ShouldBe((string)first["memory"]!["id"]!);

        var table = await CliRun.RunAsync("--server", url, "memories", "list", "--user", userId, "--history");
        table.ExitCode.ShouldBe(0, table.Err);
        table.Out.ShouldContain("61C");
        table.Out.ShouldContain("82C");
        table.Out.ShouldContain("2 memories");

        var forgotten = await CliRun.RunAsync("--server", url, "memories", "forget", (string)second["memory"]!["id"]!);
        forgotten.ExitCode.ShouldBe(0, forgotten.Err);
        var again = await CliRun.RunAsync("--server", url, "memories", "forget", (string)second["memory"]!["id"]!);
        again.ExitCode.ShouldNotBe(0);
        again.Err.ShouldContain("not found");
        var bad = await CliRun.RunAsync("--server", url, "memories", "add", "x", "--user", userId, "--kind", "secret");
        bad.ExitCode.ShouldNotBe(0);
        bad.Err.ShouldContain("kind");

        var conversations = (await Json("conversations", userId)).AsObject();
        ((string)conversations["conversations"]!.AsArray().ShouldHaveSingleItem()!["sessionId"]!).ShouldBe((string)session["id"]!);
        conversations["next"].ShouldBeNull();
    }

    [Fact]
    public async Task An_assistant_searches_and_remembers_through_mcp()
    {
        var data = Path.Combine(Path.GetTempPath(), $"continuum-mcp-memory-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        try
        {
            await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "continuum",
                Command = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet",
                Arguments = [Path.Combine(AppContext.BaseDirectory, "continuum.dll"), "--data", data, "mcp"],
                WorkingDirectory = AppContext.BaseDirectory,
            }), McpTestClient.Options);
            async Task<JsonNode> Call(string tool, Dictionary<string, object?> arguments)
            {
                var result = await client.CallToolAsync(tool, arguments);
                var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
                result.IsError.ShouldNotBe(true, text);
                return JsonNode.Parse(text)!;
            }

            var session = await Call("session_open", new() { ["interface"] = "claude-code", ["externalUserId"] = "dev-7" });
            var userId = (string)session["userId"]!;
            await Call("session_append", new() { ["sessionId"] = (string)session["id"]!, ["content"] = "The flaky test is OrderServiceTests.Checkout; it races on the clock." });

            var hits = await Call("search", new() { ["query"] = "which test is flaky?", ["userId"] = userId });
            ((string)hits["results"]![0]!["content"]!).ShouldContain("OrderServiceTests");

            await Call("memory_add", new() { ["userId"] = userId, ["content"] = "Runs tests with --no-build", ["kind"] = "preference" });
            var merged = await Call("memory_add", new() { ["userId"] = userId, ["content"] = "runs the tests with --no-build", ["kind"] = "preference" });
            ((string)merged["action"]!).ShouldBe("merged");
            (await Call("memories_list", new() { ["userId"] = userId })).AsArray().Count.ShouldBe(1);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
