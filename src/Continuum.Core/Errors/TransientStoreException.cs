namespace Continuum.Errors;

/// <summary>The store could not complete the call now (busy, disconnected); the same call may succeed later.</summary>
public sealed class TransientStoreException(string message, Exception? inner = null)
    : ContinuumException("store-unavailable", 503, message, inner)
{
    /// <inheritdoc />
    public override bool IsTransient => true;
}
