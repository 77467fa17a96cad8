namespace Continuum.Cli;

/// <summary>The command line itself is wrong; exits 1 with the message.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
