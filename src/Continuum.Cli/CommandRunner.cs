using System.CommandLine;
using Continuum.Errors;

namespace Continuum.Cli;

/// <summary>Runs a command body with the services and turns every failure into a message and an exit code.</summary>
internal static class CommandRunner
{
    public const int Ok = 0;
    public const int UserError = 1;
    public const int SystemError = 2;

    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="body"/> run with the CLI's services.</summary>
    public static void Run(this Command command, Func<ParseResult, CliServices, bool, CancellationToken, Task> body) =>
        command.SetAction(async (parse, cancellationToken) => await GuardAsync(async () =>
        {
            var services = await CliServices.CreateAsync(parse, cancellationToken);
            await using (services)
            {
                await body(parse, services, parse.GetValue(CliOptions.Json), cancellationToken);
            }
        }));

    /// <summary>Runs <paramref name="body"/>; errors go to stderr with exit 1 (the user's) or 2 (the system's).</summary>
    public static async Task<int> GuardAsync(Func<Task> body)
    {
        try
        {
            await body();
            return Ok;
        }
        catch (CliUsageException ex)
        {
            return Fail(ex.Message, UserError);
        }
        catch (ValidationException ex)
        {
            return Fail(string.Join(Environment.NewLine, ex.Errors.SelectMany(e => e.Value.Select(v => $"{e.Key}: {v}"))), UserError);
        }
        catch (ContinuumException ex)
        {
            return Fail(ex.Message, ex.StatusCode is >= 400 and < 500 ? UserError : SystemError);
        }
        catch (HttpRequestException ex)
        {
            return Fail($"Cannot reach the server: {ex.Message}", SystemError);
        }
        catch (OperationCanceledException)
        {
            return Fail("Cancelled.", SystemError);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            return Fail(ex.Message, SystemError);
        }
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}
