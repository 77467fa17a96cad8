namespace Continuum.Errors;

/// <summary>
/// The one exception type Continuum throws for conditions a caller can act on. The API maps
/// <see cref="ErrorType"/> and <see cref="StatusCode"/> to a problem details document.
/// </summary>
public class ContinuumException : Exception
{
    /// <summary>Creates an error with a stable type slug and the HTTP status it maps to.</summary>
    public ContinuumException(string errorType, int statusCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorType = errorType;
        StatusCode = statusCode;
    }

    /// <summary>A stable, machine-readable slug such as <c>not-found</c> or <c>version-conflict</c>.</summary>
    public string ErrorType { get; }

    /// <summary>The HTTP status code this error maps to.</summary>
    public int StatusCode { get; }

    /// <summary>True when the same call may succeed if retried (a busy database, a dropped connection).</summary>
    public virtual bool IsTransient => false;
}
