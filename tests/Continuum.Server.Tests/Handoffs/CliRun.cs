using System.Diagnostics;

namespace Continuum.Server.Tests.Handoffs;

/// <summary>Runs the real <c>continuum</c> CLI (the built continuum.dll) as a child process.</summary>
public static class CliRun
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static Task<Result> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string?>(), args);

    /// <summary>Runs the CLI with <paramref name="environment"/> on top of the defaults (a null value removes a variable).</summary>
    public static Task<Result> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) => RunAsync(environment, "", args);

    /// <summary>Runs the CLI with <paramref name="input"/> written to its standard input (then closed), as lines typed or piped.</summary>
    public static Task<Result> RunWithInputAsync(string input, params string[] args) => RunAsync(new Dictionary<string, string?>(), input, args);

    private static async Task<Result> RunAsync(IReadOnlyDictionary<string, string?> environment, string input, string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "continuum.dll");
        File.Exists(dll).ShouldBeTrue($"{dll} is copied next to the tests");
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
        start.Environment["COLUMNS"] = "200";
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
