using System.Diagnostics;
using System.Text.RegularExpressions;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Handoffs;

namespace Continuum.Server.Tests.Cli;

public sealed class CliOutputTests
{
    private const char Escape = '\u001b';

    // Select Graphic Rendition (colour, bold): on a terminal the .NET runtime itself also writes the keypad mode
    // sequence (ESC [ ? 1 h ESC =) when it starts, which is not styling.
    private static readonly Regex Styling = new(@"\u001b\[[0-9;]*m");

    // What a colour terminal announces: without the fix, these make the tables coloured even into a pipe.
    private static readonly Dictionary<string, string?> ColourTerminal = new()
    {
        ["NO_COLOR"] = null,
        ["TERM"] = "xterm-256color",
        ["COLORTERM"] = "truecolor",
    };

    [Fact]
    public async Task Tables_written_to_a_redirected_stdout_carry_no_ansi_escapes()
    {
        await using var server = await ApiServer.StartAsync();
        var url = server.Http.BaseAddress!.ToString();
        var session = await server.OpenSessionAsync("telegram", "cli-plain-1");
        var sessionId = (string)session["id"]!;
        await server.AppendAsync(sessionId, "GPU temp is 82C on gpu-3.");

        foreach (var args in new[] { new[] { "sessions", "list" }, ["sessions", "show", sessionId], ["sessions", "events", sessionId], ["stats"] })
        {
            var run = await CliRun.RunAsync(ColourTerminal, ["--server", url, .. args]);

            run.ExitCode.ShouldBe(0, $"continuum {string.Join(' ', args)}: {run.Err}");
            run.Out.ShouldNotBeEmpty();
            run.Out.ShouldNotContain(Escape, $"continuum {string.Join(' ', args)} wrote an escape sequence into a pipe");
            run.Err.ShouldNotContain(Escape);
        }

        var shown = await CliRun.RunAsync(ColourTerminal, "--server", url, "sessions", "show", sessionId);
        shown.Out.ShouldContain(sessionId);
        shown.Out.ShouldContain("active");
    }

    [Fact]
    public async Task On_a_terminal_tables_are_coloured_unless_NO_COLOR_is_set()
    {
        await using var server = await ApiServer.StartAsync();
        var url = server.Http.BaseAddress!.ToString();
        var session = await server.OpenSessionAsync("telegram", "cli-plain-2");
        var sessionId = (string)session["id"]!;

        var coloured = await OnTerminalAsync(noColor: null, "--server", url, "sessions", "show", sessionId);
        var plain = await OnTerminalAsync(noColor: "1", "--server", url, "sessions", "show", sessionId);

        coloured.ShouldContain(sessionId);
        Styling.IsMatch(coloured).ShouldBeTrue("a terminal without NO_COLOR gets colour");
        plain.ShouldContain(sessionId);
        Styling.IsMatch(plain).ShouldBeFalse("NO_COLOR turns colour and bold off");
    }

    // Runs the CLI with stdout on a pseudo-terminal (util-linux `script`) and returns what the terminal received.
    private static async Task<string> OnTerminalAsync(string? noColor, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "continuum.dll");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var command = string.Join(' ', new[] { host, dll }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var start = new ProcessStartInfo("script")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in new[] { "-qec", command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("NO_COLOR");
        if (noColor is not null)
        {
            start.Environment["NO_COLOR"] = noColor;
        }

        start.Environment["TERM"] = "xterm-256color";
        start.Environment["COLORTERM"] = "truecolor";
        start.Environment["COLUMNS"] = "200";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.ShouldBe(0, await stderr);
        return await stdout;
    }
}
