namespace Continuum.Errors;

/// <summary>Bad input: each entry of <see cref="Errors"/> names a field and what is wrong with it.</summary>
public sealed class ValidationException : ContinuumException
{
    /// <summary>Creates a validation error for one or more fields.</summary>
    public ValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base("validation", 400, Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates a validation error for a single field.</summary>
    public ValidationException(string field, string problem)
        : this(new Dictionary<string, string[]> { [field] = [problem] })
    {
    }

    /// <summary>Field name (camelCase, as in the JSON body) to the problems found with it.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string Describe(IReadOnlyDictionary<string, string[]> errors) =>
        string.Join(" ", errors.SelectMany(e => e.Value.Select(v => $"{e.Key}: {v}")));
}
