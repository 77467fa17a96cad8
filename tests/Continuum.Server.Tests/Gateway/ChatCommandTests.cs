using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Continuum.Testing;

namespace Continuum.Server.Tests.Gateway;

/// <summary><c>continuum chat</c> as a child process, its lines piped on stdin.</summary>
public sealed partial class ChatCommandTests
{
    [Fact]
    public async Task Chat_through_the_gateway_answers_what_did_we_find_with_what_was_said_on_another_interface()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var server = await GatewayClients.ServerAsync(upstream);
        var telegram = await server.OpenSessionAsync("telegram", "zoe");
        await server.AppendAsync((string)telegram["id"]!, "We found the root cause: the quasar cache evicts too early.");
        var code = (string)(await server.PostOkAsync($"api/users/{(string)telegram["userId"]!}/link-codes", new { }))["code"]!;

        var run = await RunAsync($"/link {code}\nwhat did we find?\n/context\n/memories\n/quit\nnever sent\n", "--server", server.Http.BaseAddress!.ToString(), "chat", "--user", "zoe-cli");

        run.ExitCode.ShouldBe(0, run.Err);
        run.Out.ShouldContain("Linked to user " + (string)telegram["userId"]!);
        run.Out.ShouldContain("Fake answer to: what did we find?");
        var asked = upstream.RequestsMentioning("what did we find?").Single();
        asked["messages"]!.ToJsonString().ShouldContain("quasar cache evicts too early", Case.Sensitive, "the model saw what was said on telegram");
        run.Out.ShouldContain("user (telegram): We found the root cause", Case.Sensitive, "/context prints the session's context");
        upstream.RequestsMentioning("never sent").ShouldBeEmpty();
        var events = await ChatTurnsTests.ConversationAsync(server, (string)telegram["id"]!);
        events.Select(e => (string)e["interface"]!).ShouldBe(["telegram", "cli", "cli"]);
    }

    [Fact]
    public async Task Chat_in_process_links_two_interfaces_and_answers_from_the_other_without_a_model()
    {
        var data = Path.Combine(Path.GetTempPath(), "continuum-chat-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = await RunAsync("We found the leak in the quasar cache eviction code.\n/link\n", "--data", data, "chat", "--user", "ann", "--interface", "telegram");
            first.ExitCode.ShouldBe(0, first.Err);
            var code = LinkCode().Match(first.Out).Groups[1].Value;
            code.ShouldNotBeNullOrEmpty(first.Out);

            var second = await RunAsync($"/link {code}\nwhat did we find about the quasar leak?\n/search quasar\n/new\n/quit\n", "--data", data, "chat", "--user", "ann-cli");

            second.ExitCode.ShouldBe(0, second.Err);
            second.Out.ShouldContain("No chat model is configured, so here is what I hold on this:");
            second.Out.ShouldContain("- We found the leak in the quasar cache eviction code.");
            second.Out.ShouldContain("- [event] We found the leak in the quasar cache eviction code.", Case.Sensitive, "/search lists the user's history");
            second.Out.ShouldContain("New session ses_");
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Chat_against_a_server_that_refuses_prints_the_error_and_goes_on()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        upstream.FailWith = 429;
        await using var server = await GatewayClients.ServerAsync(upstream);

        var run = await RunAsync("first\n/quit\n", "--server", server.Http.BaseAddress!.ToString(), "chat", "--user", "moe");

        run.ExitCode.ShouldBe(0, run.Err);
        run.Err.ShouldContain("error: fake upstream failed with 429");
        (await server.GetAsync("v1/models")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [GeneratedRegex(@"Link code ([A-Z0-9-]+)")]
    private static partial Regex LinkCode();

    private static async Task<(int ExitCode, string Out, string Err)> RunAsync(string stdin, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "continuum.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("CONTINUUM_SERVER");
        start.Environment.Remove("CONTINUUM_DATA");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
