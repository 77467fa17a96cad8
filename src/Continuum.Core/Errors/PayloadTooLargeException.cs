namespace Continuum.Errors;

/// <summary>A field or body is over its configured size limit.</summary>
public sealed class PayloadTooLargeException(string field, long size, long limit)
    : ContinuumException("payload-too-large", 413, $"{field} is {size} bytes; the limit is {limit} bytes.")
{
    /// <summary>The field (or "body") that was too large.</summary>
    public string Field { get; } = field;
}
