namespace Continuum.Errors;

/// <summary>The caller is known but may not do this: its key lacks the scope, or its binding does not reach here (403).</summary>
public sealed class ForbiddenException : ContinuumException
{
    /// <summary>Creates the error with a message that says what the key would need.</summary>
    public ForbiddenException(string message)
        : base("forbidden", 403, message)
    {
    }
}
