using System.Net;
using Continuum.Server.Tests.Api;

namespace Continuum.Web.Tests;

/// <summary>
/// What the dashboard tests show, written through the REST API of a real server: Ann's GPU thread on Telegram,
/// continued on the web and then on the CLI (with a tool call and a fork), her memories of the temperature before
/// and after the fan fix, two agents with a message between them, a shared-memory key in two versions, and a handoff.
/// </summary>
public sealed record DashboardSeed(string UserId, string Telegram, string Web, string Cli, string Fork, string Planner, string Coder, string Project)
{
    public const string Namespace = "gpu-lab";

    public static async Task<DashboardSeed> WriteAsync(ApiServer server)
    {
        var telegram = await server.PostOkAsync("api/sessions", new
        {
            identity = new { @interface = "telegram", externalUserId = "4242", displayName = "Ann" },
            @interface = "telegram",
            interfaceId = "chat-4242",
            title = "GPU heat on gpu-3",
            mode = "new",
        });
        var telegramId = (string)telegram["id"]!;
        var userId = (string)telegram["userId"]!;
        await server.AppendAsync(telegramId, "The GPU on node gpu-3 reads 82C under load.");
        await server.AppendAsync(telegramId, "82C is thermal throttling territory; check the fan on gpu-3.", "assistant");
        await server.PostOkAsync($"api/sessions/{telegramId}/events", new { type = "tool_call", role = "assistant", name = "read_sensor", content = "{\"node\":\"gpu-3\",\"sensor\":\"temp\"}" });
        await server.PostOkAsync($"api/sessions/{telegramId}/events", new { type = "tool_result", role = "tool", name = "read_sensor", content = "{\"celsius\":82}" });

        var web = await server.PostOkAsync($"api/sessions/{telegramId}/continue", new { @interface = "web", interfaceId = "cookie-9f2c" });
        var webId = (string)web["id"]!;
        await server.AppendAsync(webId, "I replaced the fan on gpu-3; it now reads 61C.");
        await server.AppendAsync(webId, "61C under load is healthy.", "assistant");

        var cli = await server.PostOkAsync($"api/sessions/{webId}/continue", new { @interface = "cli" });
        var cliId = (string)cli["id"]!;
        await server.AppendAsync(cliId, "What did we find about gpu-3?");
        var fork = await server.PostOkAsync($"api/sessions/{webId}/fork", new { atSeq = 1, title = "What if the fan was fine" });

        await server.PostOkAsync("api/memories", new { userId, content = "gpu-3 reads 82C under load", kind = "fact", subject = "gpu-3 temperature", validFrom = DateTimeOffset.UtcNow.AddHours(-2) });
        await server.PostOkAsync("api/memories", new { userId, content = "gpu-3 reads 61C under load after the fan fix", kind = "fact", subject = "gpu-3 temperature" });

        var planner = (string)(await server.OpenSessionAsync("agent", "planner-1"))["id"]!;
        var coder = (string)(await server.OpenSessionAsync("agent", "coder-1"))["id"]!;
        await Put(server, $"api/agents/{planner}", new { agentName = "planner", agentType = "planner", capabilities = new[] { "plan" }, @namespace = Namespace });
        await Put(server, $"api/agents/{coder}", new { agentName = "coder", agentType = "coder", capabilities = new[] { "code", "test" }, @namespace = Namespace });
        await server.PostOkAsync("api/messages", new { from = planner, to = coder, type = "request", subject = "Log fan speed", body = "Add fan speed to the sensor log.", @namespace = Namespace });
        await Put(server, $"api/shared/{Namespace}/thresholds", new { sessionId = planner, value = new { warn = 80, critical = 90 }, type = "config" });
        await Put(server, $"api/shared/{Namespace}/thresholds", new { sessionId = coder, value = new { warn = 75, critical = 90 }, type = "config" });

        const string project = "gpu-lab";
        await server.PostOkAsync($"api/handoffs?project={project}", new
        {
            sessionId = webId,
            author = "planner",
            goal = "Bring gpu-3 back under 70C",
            achievements = new[] { "Replaced the fan on gpu-3" },
            decisions = new[] { new { decision = "Warn at 75C", reasoning = "61C is normal after the fix" } },
            insights = new[] { "Throttling starts near 83C" },
            nextSteps = new[] { new { task = "Log fan speed", priority = "high" } },
        });
        return new DashboardSeed(userId, telegramId, webId, cliId, (string)fork["id"]!, planner, coder, project);
    }

    private static async Task Put(ApiServer server, string path, object body)
    {
        var reply = await server.SendAsync(HttpMethod.Put, path, body);
        reply.Status.ShouldBeOneOf([HttpStatusCode.OK, HttpStatusCode.Created], reply.Text);
    }

    /// <summary>Every page of the dashboard with this seed, by the name its screenshot is saved under.</summary>
    public IReadOnlyList<(string Name, string Path, string Shows)> Pages =>
    [
        ("overview", "", "Sessions by interface"),
        ("sessions", "sessions", "GPU heat on gpu-3"),
        ("conversation", $"sessions/{Cli}", "What did we find about gpu-3?"),
        ("context-preview", $"sessions/{Web}?query=gpu-3+temperature&budget=300", "The messages a model receives"),
        ("users", "users", "Ann"),
        ("user", $"users/{UserId}?q=gpu-3", "61C"),
        ("agents", $"agents?agent={Coder}", "Log fan speed"),
        ("shared-memory", $"agents?ns={Namespace}&key=thresholds", "Changes from version 1"),
        ("handoffs", $"handoffs?project={Project}", "Bring gpu-3 back under 70C"),
    ];
}
