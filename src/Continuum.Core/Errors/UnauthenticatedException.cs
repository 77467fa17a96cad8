namespace Continuum.Errors;

/// <summary>No key, or a key that is malformed, unknown, expired or revoked (401).</summary>
public sealed class UnauthenticatedException : ContinuumException
{
    /// <summary>Creates the error with a message that says what was wrong with the key (never the key itself).</summary>
    public UnauthenticatedException(string message)
        : base("unauthenticated", 401, message)
    {
    }
}
