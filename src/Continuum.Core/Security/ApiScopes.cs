using Continuum.Errors;

namespace Continuum.Security;

/// <summary>
/// The scopes an API key can hold. They are independent: <c>read</c> reads, <c>write</c> writes, <c>admin</c> manages
/// the tenant's keys and reads its audit log; a key that should do all three holds all three.
/// </summary>
public static class ApiScopes
{
    /// <summary>Reads: every GET and HEAD.</summary>
    public const string Read = "read";

    /// <summary>Writes: every other method.</summary>
    public const string Write = "write";

    /// <summary>Administers the tenant: its keys and its audit log.</summary>
    public const string Admin = "admin";

    /// <summary>Every scope, in the order they are listed.</summary>
    public static IReadOnlyList<string> All { get; } = [Read, Write, Admin];

    /// <summary>
    /// The distinct scopes of <paramref name="scopes"/> (comma- or space-separated names, any case), in the order of
    /// <see cref="All"/>; a validation error for an unknown name or none at all.
    /// </summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string>? scopes)
    {
        var given = (scopes ?? [])
            .SelectMany(s => (s ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => s.ToLowerInvariant())
            .ToList();
        if (given.FirstOrDefault(s => !All.Contains(s)) is { } unknown)
        {
            throw new ValidationException("scopes", $"'{unknown}' is not a scope; use read, write and admin.");
        }

        return given.Count == 0
            ? throw new ValidationException("scopes", "a key needs at least one scope: read, write or admin.")
            : [.. All.Where(given.Contains)];
    }
}
