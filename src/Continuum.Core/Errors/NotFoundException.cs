namespace Continuum.Errors;

/// <summary>The thing asked for does not exist (or is not visible to the caller's tenant).</summary>
public sealed class NotFoundException(string what, string id)
    : ContinuumException("not-found", 404, $"{what} '{id}' was not found.")
{
    /// <summary>What kind of thing was missing, e.g. "Session".</summary>
    public string What { get; } = what;
}
