namespace Continuum.Errors;

/// <summary>The thing asked for does not exist (or is not visible to the caller's tenant).</summary>
public sealed class NotFoundException : ContinuumException
{
    /// <summary>Creates the error for the <paramref name="what"/> (e.g. "Session") with the id <paramref name="id"/>.</summary>
    public NotFoundException(string what, string id)
        : base("not-found", 404, $"{what} '{id}' was not found.")
    {
        What = what;
    }

    /// <summary>Creates the error with a message of its own (as a server answered it) and its problem type.</summary>
    public NotFoundException(string errorType, string what, string message)
        : base(errorType, 404, message)
    {
        What = what;
    }

    /// <summary>What kind of thing was missing, e.g. "Session".</summary>
    public string What { get; }
}
