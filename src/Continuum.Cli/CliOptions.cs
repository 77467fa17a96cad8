using System.CommandLine;

namespace Continuum.Cli;

/// <summary>The options every command takes.</summary>
internal static class CliOptions
{
    public static readonly Option<string?> Server = new("--server")
    {
        Description = "A running Continuum server's URL (also CONTINUUM_SERVER). Without it, commands work in-process on the data directory.",
        Recursive = true,
    };

    public static readonly Option<string?> Data = new("--data")
    {
        Description = "The data directory (also CONTINUUM_DATA; default: the user's local application data folder/continuum).",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print JSON for scripts instead of tables.",
        Recursive = true,
    };

    public static readonly Option<string?> Key = new("--key")
    {
        Description = "The API key to send to --server (also CONTINUUM_KEY); needed when the server requires keys.",
        Recursive = true,
    };
}
