using Continuum.Security;

namespace Continuum.Lifecycle;

/// <summary>
/// The actor of the current call: the calling key's id when a key authenticated it, otherwise <c>local</c> (an
/// in-process command or a keyless loopback call).
/// </summary>
public sealed class LocalAuditActor : IAuditActor
{
    /// <summary>The actor of an in-process command or a keyless loopback call.</summary>
    public const string Local = "local";

    /// <inheritdoc />
    public string Id => CallerContext.Current?.KeyId ?? Local;
}
