using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Security;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Continuum.Server.Tests.Mcp;

/// <summary>
/// MCP over Streamable HTTP at <c>/mcp</c> of a real server on loopback, driven by the SDK's own HTTP client
/// transport, beside the same tools and resources over stdio from the real <c>continuum mcp</c> process.
/// </summary>
public sealed class McpHttpTests : IAsyncLifetime
{
    private ApiServer _server = null!;
    private McpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync();
        _client = await ConnectAsync(_server);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>An MCP client over Streamable HTTP to the server's <c>/mcp</c>.</summary>
    internal static async Task<McpClient> ConnectAsync(ApiServer server, IDictionary<string, string>? headers = null)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.Http.BaseAddress!, "mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            Name = "continuum-http",
            AdditionalHeaders = headers,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await McpClient.CreateAsync(transport, McpTestClient.Options, cancellationToken: timeout.Token);
    }

    [Fact]
    public async Task The_tools_and_resource_templates_over_http_are_the_same_as_over_stdio()
    {
        var data = Path.Combine(Path.GetTempPath(), $"continuum-mcp-both-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        try
        {
            await using var stdio = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "continuum",
                Command = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet",
                Arguments = [Path.Combine(AppContext.BaseDirectory, "continuum.dll"), "--data", data, "mcp"],
                WorkingDirectory = AppContext.BaseDirectory,
            }), McpTestClient.Options);

            var overHttp = await _client.ListToolsAsync();
            var overStdio = await stdio.ListToolsAsync();
            var templatesOverHttp = (await _client.ListResourceTemplatesAsync()).Select(t => t.UriTemplate).Order().ToList();
            var templatesOverStdio = (await stdio.ListResourceTemplatesAsync()).Select(t => t.UriTemplate).Order().ToList();

            overHttp.Count.ShouldBeGreaterThan(25);
            overHttp.Select(t => t.Name).Order().ShouldBe(overStdio.Select(t => t.Name).Order());
            foreach (var tool in overHttp)
            {
                overStdio.Single(t => t.Name == tool.Name).JsonSchema.GetRawText().ShouldBe(tool.JsonSchema.GetRawText(), tool.Name);
            }

            templatesOverHttp.ShouldBe(["continuum://briefing/{project}", "continuum://projects/{project}/briefing", "continuum://sessions/{id}/context"]);
            templatesOverStdio.ShouldBe(templatesOverHttp);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_session_recorded_over_http_is_in_the_server_and_in_its_context_resource()
    {
        var session = JsonNode.Parse(await CallAsync("session_open", new() { ["interface"] = "claude-code", ["externalUserId"] = "dev-http" }))!;
        var id = (string)session["id"]!;
        await CallAsync("session_append", new() { ["sessionId"] = id, ["content"] = "The flaky test was the clock in RetryPolicyTests.", ["role"] = "assistant" });

        var resource = await _client.ReadResourceAsync(new Uri($"continuum://sessions/{id}/context"));
        var viaRest = await _server.AllEventsAsync(id);

        var text = resource.Contents.OfType<TextResourceContents>().Single();
        text.MimeType.ShouldBe("text/plain");
        text.Text.ShouldContain("clock in RetryPolicyTests");
        ((string)viaRest.Where(e => (string)e["type"]! == "message").ShouldHaveSingleItem()["content"]!).ShouldBe("The flaky test was the clock in RetryPolicyTests.");
    }

    [Fact]
    public async Task A_handoff_over_http_is_read_back_from_the_project_briefing_resource()
    {
        await CallAsync("handoff_create", new()
        {
            ["project"] = "http-proj",
            ["goal"] = "Serve MCP over HTTP",
            ["nextSteps"] = new[] { new { task = "Document the client configurations", priority = "high" } },
        });

        var resource = await _client.ReadResourceAsync(new Uri("continuum://projects/http-proj/briefing"));
        var legacy = await _client.ReadResourceAsync(new Uri("continuum://briefing/http-proj"));

        var text = resource.Contents.OfType<TextResourceContents>().Single();
        text.MimeType.ShouldBe("text/markdown");
        text.Text.ShouldContain("# Briefing: http-proj");
        text.Text.ShouldContain("[high] Document the client configurations");
        legacy.Contents.OfType<TextResourceContents>().Single().Text.ShouldBe(text.Text);
    }

    [Fact]
    public async Task A_missing_session_is_a_tool_error_and_a_resource_error_over_http()
    {
        var tool = await _client.CallToolAsync("session_get", new Dictionary<string, object?> { ["sessionId"] = "ses_nothing" });
        var resource = await Should.ThrowAsync<McpException>(() => _client.ReadResourceAsync(new Uri("continuum://sessions/ses_nothing/context")).AsTask());

        tool.IsError.ShouldBe(true);
        Text(tool).ShouldContain("ses_nothing");
        resource.Message.ShouldContain("ses_nothing");
    }

    [Fact]
    public async Task A_body_that_is_not_json_rpc_is_a_4xx_and_writes_nothing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "mcp") { Content = new StringContent("{ not json", Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await _server.Http.SendAsync(request);

        ((int)response.StatusCode).ShouldBeInRange(400, 499);
        var sessions = await _server.GetOkAsync("api/stats");
        ((long)sessions["sessions"]!["totalSessions"]!).ShouldBe(0);
    }

    [Fact]
    public async Task With_keys_on_mcp_refuses_a_missing_key_and_serves_a_valid_one_in_its_tenant()
    {
        await using var server = await ApiServer.StartAsync("--Continuum:Security:RequireKeys", "true");
        var key = await KeyedClient.CreateKeyAsync(server, "acme", "read,write");
        var other = await KeyedClient.WithNewKeyAsync(server, "globex", "read,write");

        using var bare = new HttpRequestMessage(HttpMethod.Post, "mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        bare.Headers.Accept.ParseAdd("application/json");
        bare.Headers.Accept.ParseAdd("text/event-stream");
        using var refused = await server.Http.SendAsync(bare);
        await Should.ThrowAsync<Exception>(() => ConnectAsync(server));
        await Should.ThrowAsync<Exception>(() => ConnectAsync(server, new Dictionary<string, string> { ["Authorization"] = "Bearer ck_live_not_a_key" }));
        await using var client = await ConnectAsync(server, new Dictionary<string, string> { ["Authorization"] = "Bearer " + key.Secret });
        var opened = await client.CallToolAsync("session_open", new Dictionary<string, object?> { ["interface"] = "claude-code", ["externalUserId"] = "dev-keyed" });
        var id = (string)JsonNode.Parse(Text(opened))!["id"]!;

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refused.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        opened.IsError.ShouldNotBe(true, Text(opened));
        (await new KeyedClient(server, "Bearer " + key.Secret).SendAsync(HttpMethod.Get, $"api/sessions/{id}")).Status.ShouldBe(HttpStatusCode.OK);
        (await other.SendAsync(HttpMethod.Get, $"api/sessions/{id}")).Status.ShouldBe(HttpStatusCode.NotFound, "the session is the key's tenant's");
    }

    private async Task<string> CallAsync(string tool, Dictionary<string, object?> arguments)
    {
        var result = await _client.CallToolAsync(tool, arguments);
        result.IsError.ShouldNotBe(true, Text(result));
        return Text(result);
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
