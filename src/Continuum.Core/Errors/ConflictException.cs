namespace Continuum.Errors;

/// <summary>The request is well-formed but conflicts with the current state (a closed session, a stale version).</summary>
public sealed class ConflictException(string errorType, string message)
    : ContinuumException(errorType, 409, message);
