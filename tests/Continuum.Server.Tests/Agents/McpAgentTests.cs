using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Continuum.Server.Tests.Agents;

/// <summary>Two MCP clients (two coding assistants) on one data directory, through the real <c>continuum mcp</c> processes.</summary>
public sealed class McpAgentTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"continuum-mcp-agents-{Guid.NewGuid():N}");
    private McpClient _client = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        _client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "continuum",
            Command = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "continuum.dll"), "--data", _data, "mcp"],
            WorkingDirectory = AppContext.BaseDirectory,
        }), McpTestClient.Options);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_session_registers_reads_its_inbox_and_shares_state_through_mcp()
    {
        var tools = (await _client.ListToolsAsync()).Select(t => t.Name).ToList();
        foreach (var name in new[] { "agent_register", "agent_list", "agent_status", "message_send", "inbox", "memory_set", "memory_get", "memory_search" })
        {
            tools.ShouldContain(name);
        }

        await CallAsync("agent_register", new() { ["sessionId"] = "claude-1", ["agentName"] = "Claude", ["agentType"] = "claude-code", ["capabilities"] = new[] { "csharp" } });
        await CallAsync("agent_register", new() { ["sessionId"] = "claude-2", ["agentName"] = "Helper", ["agentType"] = "claude-code" });
        await CallAsync("message_send", new() { ["from"] = "claude-2", ["to"] = "claude-1", ["subject"] = "Run the tests", ["type"] = "request", ["data"] = """{"suite":"server"}""" });

        var inbox = JsonNode.Parse(await CallAsync("inbox", new() { ["sessionId"] = "claude-1", ["unread"] = true, ["acknowledge"] = true }))!.AsArray();
        ((string)inbox.ShouldHaveSingleItem()!["subject"]!).ShouldBe("Run the tests");
        ((string)inbox[0]!["data"]!["suite"]!).ShouldBe("server");
        JsonNode.Parse(await CallAsync("inbox", new() { ["sessionId"] = "claude-1", ["unread"] = true }))!.AsArray().ShouldBeEmpty();

        var first = JsonNode.Parse(await CallAsync("memory_set", new() { ["sessionId"] = "claude-1", ["key"] = "build", ["value"] = "\"green\"", ["type"] = "state", ["expectedVersion"] = 0 }))!;
        ((long)first["version"]!).ShouldBe(1);
        var stale = await _client.CallToolAsync("memory_set", new Dictionary<string, object?> { ["sessionId"] = "claude-2", ["key"] = "build", ["value"] = "\"red\"", ["expectedVersion"] = 0 });
        stale.IsError.ShouldBe(true);
        Text(stale).ShouldContain("version 1");

        var read = JsonNode.Parse(await CallAsync("memory_get", new() { ["key"] = "build" }))!;
        ((string)read["value"]!).ShouldBe("green");
        var agents = JsonNode.Parse(await CallAsync("agent_list", new() { ["capability"] = "csharp" }))!.AsArray();
        ((string)agents.ShouldHaveSingleItem()!["sessionId"]!).ShouldBe("claude-1");
    }

    private async Task<string> CallAsync(string tool, Dictionary<string, object?> arguments)
    {
        var result = await _client.CallToolAsync(tool, arguments);
        result.IsError.ShouldNotBe(true, Text(result));
        return Text(result);
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
