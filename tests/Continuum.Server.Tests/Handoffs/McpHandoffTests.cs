using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Continuum.Server.Tests.Handoffs;

/// <summary>The real <c>continuum mcp</c> process on a data directory, driven by the MCP SDK's own client over stdio.</summary>
public sealed class McpHandoffTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"continuum-mcp-{Guid.NewGuid():N}");
    private McpClient _client = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "continuum",
            Command = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "continuum.dll"), "--data", _data, "mcp"],
            WorkingDirectory = AppContext.BaseDirectory,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        _client = await McpClient.CreateAsync(transport, McpTestClient.Options, cancellationToken: timeout.Token);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task The_tools_are_listed_with_descriptions_and_argument_schemas()
    {
        var tools = await _client.ListToolsAsync();

        var names = tools.Select(t => t.Name).ToList();
        names.ShouldContain("handoff_create");
        names.ShouldContain("handoff_create_json");
        names.ShouldContain("handoff_draft");
        names.ShouldContain("briefing");
        names.ShouldContain("knowledge");
        names.ShouldContain("timeline");
        names.ShouldContain("session_open");
        names.ShouldContain("session_append");
        names.ShouldContain("session_context");
        tools.ShouldAllBe(t => !string.IsNullOrWhiteSpace(t.Description));
        var create = tools.Single(t => t.Name == "handoff_create");
        create.JsonSchema.GetProperty("properties").TryGetProperty("nextSteps", out _).ShouldBeTrue();
        create.JsonSchema.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["project"]);
    }

    [Fact]
    public async Task An_agent_hands_off_and_the_next_one_reads_the_briefing()
    {
        var first = await CallAsync("handoff_create", new()
        {
            ["project"] = "mcp-proj",
            ["goal"] = "Wire the payment gateway",
            ["decisions"] = new[] { new { decision = "Use idempotency keys on every charge", reasoning = "retries double-charge otherwise" } },
            ["nextSteps"] = new[] { new { task = "Add refunds endpoint", priority = "high" } },
        });
        var receipt = JsonNode.Parse(first)!;
        ((string)receipt["decisions"]![0]!["id"]!).ShouldBe("decision-001");

        var briefing = await CallAsync("briefing", new() { ["project"] = "mcp-proj" });
        briefing.ShouldContain("[high] Add refunds endpoint");
        briefing.ShouldContain("Use idempotency keys on every charge");

        var second = JsonNode.Parse(await CallAsync("handoff_create_json", new()
        {
            ["project"] = "mcp-proj",
            ["document"] = """{ "primary_goal": "Refunds", "achievements": ["Added the refunds endpoint"] }""",
        }))!;
        ((string)second["closed"]![0]!["task"]!).ShouldBe("Add refunds endpoint");

        var resource = await _client.ReadResourceAsync(new Uri("continuum://briefing/mcp-proj"));
        var text = resource.Contents.OfType<TextResourceContents>().Single().Text;
        text.ShouldContain("# Briefing: mcp-proj");
        text.ShouldContain("Recently done");
    }

    [Fact]
    public async Task A_session_recorded_through_mcp_gives_its_context_and_a_draft()
    {
        var session = JsonNode.Parse(await CallAsync("session_open", new() { ["interface"] = "claude-code", ["externalUserId"] = "dev-1" }))!;
        var id = (string)session["id"]!;
        await CallAsync("session_append", new() { ["sessionId"] = id, ["content"] = "We decided to pin Npgsql 10.0.0 because 11.x fails on net10.", ["role"] = "assistant" });

        var context = await CallAsync("session_context", new() { ["sessionId"] = id });
        var draft = JsonNode.Parse(await CallAsync("handoff_draft", new() { ["sessionId"] = id, ["project"] = "mcp-proj" }))!;

        context.ShouldContain("pin Npgsql 10.0.0");
        ((string)draft["decisions"]![0]!["reasoning"]!).ShouldBe("11.x fails on net10");
    }

    [Fact]
    public async Task Bad_arguments_are_tool_errors_that_say_what_is_wrong()
    {
        var result = await _client.CallToolAsync("briefing", new Dictionary<string, object?> { ["project"] = "bad name!" });
        var missing = await _client.CallToolAsync("handoff_get", new Dictionary<string, object?> { ["id"] = "hof_nothing" });

        result.IsError.ShouldBe(true);
        Text(result).ShouldContain("project");
        missing.IsError.ShouldBe(true);
        Text(missing).ShouldContain("hof_nothing");
    }

    private async Task<string> CallAsync(string tool, Dictionary<string, object?> arguments)
    {
        var result = await _client.CallToolAsync(tool, arguments);
        result.IsError.ShouldNotBe(true, Text(result));
        return Text(result);
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
