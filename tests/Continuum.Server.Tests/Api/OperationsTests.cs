using System.Net;
using Microsoft.Extensions.Logging;

namespace Continuum.Server.Tests.Api;

public sealed class OperationsTests
{
    private static string StoreName => Continuum.Testing.TestStore.IsPostgres ? "postgres" : "sqlite";

    [Fact]
    public async Task Health_reports_the_store_healthy()
    {
        await using var server = await ApiServer.StartAsync();

        var health = await server.GetOkAsync("health");

        ((string)health["status"]!).ShouldBe("healthy");
        ((string)health["checks"]!["store"]!["status"]!).ShouldBe("healthy");
        ((string)health["checks"]!["store"]!["description"]!).ShouldBe(StoreName);

        // Test servers run without an embedding model: the index reports lexical search, nothing waiting.
        ((string)health["checks"]!["search-index"]!["status"]!).ShouldBe("healthy");
        ((string)health["checks"]!["search-index"]!["data"]!["provider"]!).ShouldBe("none");
        var stats = await server.GetOkAsync("api/stats");
        ((string)stats["search"]!["provider"]!).ShouldBe("none");
        ((bool)stats["search"]!["enabled"]!).ShouldBeFalse();
        ((long)stats["search"]!["backlog"]!).ShouldBe(0);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_session_and_event_routes()
    {
        await using var server = await ApiServer.StartAsync();

        var document = await server.GetOkAsync("openapi/v1.json");

        ((string)document["openapi"]!).ShouldStartWith("3.");
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        paths.ShouldContain("/api/sessions");
        paths.ShouldContain("/api/sessions/{id}");
        paths.ShouldContain("/api/sessions/{id}/events");
        paths.ShouldContain("/api/sessions/{id}/events:batch");
        paths.ShouldContain("/api/sessions/{id}/continue");
        paths.ShouldContain("/api/sessions/{id}/fork");
        paths.ShouldContain("/api/stats");
        document["paths"]!["/api/sessions"]!["post"].ShouldNotBeNull();
    }

    [Fact]
    public async Task Stats_count_sessions_users_messages_and_tokens()
    {
        await using var server = await ApiServer.StartAsync();
        var telegram = (string)(await server.OpenSessionAsync("telegram", "ann"))["id"]!;
        var web = (string)(await server.OpenSessionAsync("web", "bob"))["id"]!;
        var anonymous = (string)(await server.PostOkAsync("api/sessions", new { @interface = "web", interfaceId = "cookie-anon" }))["id"]!;
        var events = new[]
        {
            await server.AppendAsync(telegram, "Is gpu-3 throttling at 82C?"),
            await server.AppendAsync(telegram, "Yes, above 80C it throttles.", role: "assistant"),
            await server.PostOkAsync($"api/sessions/{web}/events", new { type = "tool_call", content = "nvidia-smi -q -d TEMPERATURE" }),
            await server.PostOkAsync($"api/sessions/{web}/events", new { type = "error", content = "nvidia-smi: not found" }),
        };
        long TokensOf(Func<string, bool> role) => events.Where(e => role((string)e["role"]!)).Sum(e => (long)e["tokens"]!);
        (await server.SendAsync(HttpMethod.Patch, $"api/sessions/{anonymous}", new { status = "closed" })).Status.ShouldBe(HttpStatusCode.OK);

        var stats = await server.GetOkAsync("api/stats");

        ((string)stats["store"]!).ShouldBe(StoreName);
        var sessions = stats["sessions"]!;
        ((long)sessions["totalSessions"]!).ShouldBe(3);
        ((long)sessions["activeSessions"]!).ShouldBe(2);
        ((long)sessions["users"]!).ShouldBe(2);
        ((long)sessions["events"]!).ShouldBe(4);
        ((long)sessions["messages"]!).ShouldBe(2);
        ((long)sessions["toolCalls"]!).ShouldBe(1);
        ((long)sessions["errors"]!).ShouldBe(1);
        events.ShouldAllBe(e => (long)e["tokens"]! > 0);
        ((long)sessions["outputTokens"]!).ShouldBe(TokensOf(r => r == "assistant"), "the assistant's message and its tool call");
        ((long)sessions["inputTokens"]!).ShouldBe(TokensOf(r => r != "assistant"));
        ((long)sessions["sessionsByInterface"]!["telegram"]!).ShouldBe(1);
        ((long)sessions["sessionsByInterface"]!["web"]!).ShouldBe(2);
        ((long)sessions["sessionsByStatus"]!["closed"]!).ShouldBe(1);
        if (Continuum.Testing.TestStore.IsPostgres)
        {
            // The four appends went in through group commits (one at a time here, so each in a group of its own or shared).
            var groups = stats["appendGroups"]!;
            ((long)groups["grouped"]!).ShouldBe(4);
            ((long)groups["handedBack"]!).ShouldBe(0);
            ((long)groups["groups"]!).ShouldBeInRange(1, 4);
        }
        else
        {
            stats["appendGroups"].ShouldBeNull("the SQLite store commits in groups inside its writer and reports none");
        }
    }

    [Fact]
    public async Task The_server_binds_the_port_the_os_gave_it_on_loopback()
    {
        await using var server = await ApiServer.StartAsync();

        server.Http.BaseAddress!.Host.ShouldBe("127.0.0.1");
        server.Http.BaseAddress.Port.ShouldBeGreaterThan(0);
        File.Exists(Path.Combine(server.DataDirectory, "continuum.db")).ShouldBe(!Continuum.Testing.TestStore.IsPostgres, "the SQLite file is the default store's");
    }

    [Fact]
    public async Task A_server_on_a_new_data_directory_starts_and_serves_without_a_warning()
    {
        // Background jobs start alongside the schema migration; a job that touches the store before the schema exists
        // only shows up in some starts, so several fresh starts are checked.
        for (var start = 0; start < 5; start++)
        {
            using var logs = new LogCapture(LogLevel.Warning);
            await using (var server = await ApiServer.StartAsync(logs))
            {
                var sessionId = (string)(await server.OpenSessionAsync("web", "quiet-1"))["id"]!;
                await server.AppendAsync(sessionId, "hello");
                await server.GetOkAsync("health");
            }

            logs.Entries.ShouldBeEmpty($"start {start + 1} on a fresh data directory logged at warning or above");
        }
    }
}
