using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Continuum.Server.Tests.Context;

/// <summary>
/// A stand-in for an OpenAI-compatible model server: it speaks the real /v1/chat/completions wire protocol over
/// HTTP on loopback and can be told to answer, fail with 500 or answer too slowly.
/// </summary>
public sealed class FakeChatModel : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private FakeChatModel(WebApplication app) => _app = app;

    public string Mode { get; set; } = "ok";

    public int Calls => _calls;

    public string Endpoint { get; private set; } = "";

    public List<string> Prompts { get; } = [];

    public List<string> Authorizations { get; } = [];

    public static async Task<FakeChatModel> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var model = new FakeChatModel(app);
        app.MapPost("/v1/chat/completions", (Delegate)model.HandleAsync);
        await app.StartAsync();
        model.Endpoint = app.Urls.First() + "/v1";
        return model;
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var messages = body.RootElement.GetProperty("messages");
        var last = messages[messages.GetArrayLength() - 1].GetProperty("content").GetString() ?? "";
        lock (Prompts)
        {
            Prompts.Add(last);
            Authorizations.Add(context.Request.Headers.Authorization.ToString());
        }

        switch (Mode)
        {
            case "fail":
                return Results.Json(new { error = new { message = "model overloaded", type = "server_error" } }, statusCode: 500);
            case "slow":
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
                break;
        }

        var system = messages[0].GetProperty("content").GetString() ?? "";
        var firstLine = last.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        var answer = system.StartsWith("You keep a user's facts current", StringComparison.Ordinal)
            ? JudgeFacts(last)
            : system.StartsWith("List the entities", StringComparison.Ordinal)
            ? "person: Zelda Quartermaine\nhost: quasar-9\nnonsense line"
            : system.StartsWith("You write the handoff", StringComparison.Ordinal)
                ? "Here is the handoff: " + JsonSerializer.Serialize(new
                {
                    primary_goal = "MODEL GOAL",
                    achievements = new[] { "Model saw: " + firstLine },
                    decisions_made = new[] { new { decision = "Model decision", reasoning = "model reason" } },
                    next_steps = new[] { new { task = "Model next step", priority = "high" } },
                })
                : "- MODEL SUMMARY: " + firstLine;
        return Results.Json(new
        {
            id = "chatcmpl-fake",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "fake-model",
            choices = new[]
            {
                new { index = 0, message = new { role = "assistant", content = answer }, finish_reason = "stop" },
            },
            usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
        });
    }

    // Replaces the known facts that begin with the same name as the new fact: crude, but it is a model's judgement the rules cannot make.
    private static string JudgeFacts(string prompt)
    {
        var lines = prompt.Split('\n');
        var fact = lines.Single(l => l.StartsWith("New fact: ", StringComparison.Ordinal))["New fact: ".Length..];
        var name = fact.Split(' ')[0];
        var replaces = lines.Where(l => l.StartsWith("mem_", StringComparison.Ordinal) && l.Split(": ", 2)[1].StartsWith(name + " ", StringComparison.Ordinal))
            .Select(l => l.Split(": ", 2)[0]).ToList();
        return "```json\n" + JsonSerializer.Serialize(new { duplicate = (string?)null, replaces, subject = name.ToLowerInvariant() + " home" }) + "\n```";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
