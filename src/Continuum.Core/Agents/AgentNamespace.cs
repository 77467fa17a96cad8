using System.Text.RegularExpressions;
using Continuum.Errors;

namespace Continuum.Agents;

/// <summary>Namespaces group agents, their messages and shared memory (a project or a team).</summary>
public static partial class AgentNamespace
{
    /// <summary>The namespace when none is given.</summary>
    public const string Default = "default";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
    private static partial Regex NamePattern();

    /// <summary>The namespace to use: <see cref="Default"/> when none is given; a validation error unless it is 1 to 128 letters, digits, '.', '_', ':' or '-'.</summary>
    public static string Validate(string? ns)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return Default;
        }

        return NamePattern().IsMatch(ns)
            ? ns
            : throw new ValidationException("namespace", "must be 1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.");
    }
}
