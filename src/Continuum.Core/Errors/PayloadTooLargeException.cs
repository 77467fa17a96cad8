namespace Continuum.Errors;

/// <summary>A field or body is over its configured size limit.</summary>
public sealed class PayloadTooLargeException : ContinuumException
{
    /// <summary>Creates the error for <paramref name="field"/> of <paramref name="size"/> bytes over <paramref name="limit"/>.</summary>
    public PayloadTooLargeException(string field, long size, long limit)
        : base("payload-too-large", 413, $"{field} is {size} bytes; the limit is {limit} bytes.")
    {
        Field = field;
    }

    /// <summary>Creates the error with a message of its own (as a server answered it).</summary>
    public PayloadTooLargeException(string field, string message)
        : base("payload-too-large", 413, message)
    {
        Field = field;
    }

    /// <summary>The field (or "body") that was too large.</summary>
    public string Field { get; }
}
