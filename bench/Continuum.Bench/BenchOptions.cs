using System.Globalization;

namespace Continuum.Bench;

/// <summary>The command line of <c>append</c>.</summary>
internal sealed record BenchOptions
{
    public static readonly string[] SyncModes = ["FULL", "NORMAL", "EXTRA"];

    public double Seconds { get; init; } = 10;

    public double WarmupSeconds { get; init; } = 2;

    public IReadOnlyList<int> Clients { get; init; } = [1, 16, 64];

    public string Sync { get; init; } = "FULL";

    public bool OneSession { get; init; } = true;

    public bool Store { get; init; } = true;

    public bool Compression { get; init; } = true;

    public string? Directory { get; init; }

    public bool FailOnMiss { get; init; }

    public const string Usage = """
        usage: dotnet run -c Release --project bench/Continuum.Bench -- append [options]

          --seconds N        measured seconds per phase (default 10)
          --warmup N         warm-up seconds before each phase, not measured (default 2)
          --clients LIST     concurrency levels, comma separated (default 1,16,64)
          --sync MODE        SQLite synchronous for the server and the raw baseline: FULL (default), NORMAL, EXTRA
          --no-one-session   skip the variant where every client appends into one session
          --no-store         skip the in-process store phase (ISessionService.AppendAsync, no HTTP)
          --no-compression   run the server with Continuum:Context:CompressionEnabled=false
          --dir PATH         parent folder of the temporary data folder (default: the system temp folder)
          --fail-on-miss     exit with code 3 when a target is missed
        """;

    /// <summary>Parses <paramref name="args"/>; null with <paramref name="error"/> set when they are wrong.</summary>
    public static BenchOptions? Parse(string[] args, out string? error)
    {
        error = null;
        if (args.Length == 0 || args[0] != "append")
        {
            error = args.Length == 0 ? "missing the benchmark name (append)" : $"unknown benchmark '{args[0]}'";
            return null;
        }

        var options = new BenchOptions();
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Length)
                {
                    throw new FormatException($"{arg} needs a value");
                }

                return args[++i];
            }

            try
            {
                options = arg switch
                {
                    "--seconds" => options with { Seconds = Positive(Value(), arg) },
                    "--warmup" => options with { WarmupSeconds = NonNegative(Value(), arg) },
                    "--clients" => options with { Clients = ParseClients(Value()) },
                    "--sync" => options with { Sync = ParseSync(Value()) },
                    "--no-one-session" => options with { OneSession = false },
                    "--no-store" => options with { Store = false },
                    "--no-compression" => options with { Compression = false },
                    "--dir" => options with { Directory = Value() },
                    "--fail-on-miss" => options with { FailOnMiss = true },
                    "-h" or "--help" => throw new FormatException("help"),
                    _ => throw new FormatException($"unknown option '{arg}'"),
                };
            }
            catch (FormatException ex)
            {
                error = ex.Message;
                return null;
            }
        }

        return options;
    }

    private static double Positive(string text, string name)
    {
        var value = NonNegative(text, name);
        return value > 0 ? value : throw new FormatException($"{name} must be above 0");
    }

    private static double NonNegative(string text, string name) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && value <= 3600
            ? value
            : throw new FormatException($"{name} must be a number of seconds between 0 and 3600, not '{text}'");

    private static int[] ParseClients(string text)
    {
        var levels = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1024
                ? n
                : throw new FormatException($"--clients takes numbers between 1 and 1024, not '{s}'"))
            .Distinct()
            .ToArray();
        return levels.Length > 0 ? levels : throw new FormatException("--clients needs at least one level");
    }

    private static string ParseSync(string text)
    {
        var mode = text.ToUpperInvariant();
        return SyncModes.Contains(mode) ? mode : throw new FormatException($"--sync must be FULL, NORMAL or EXTRA, not '{text}'");
    }
}
