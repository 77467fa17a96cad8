namespace Continuum.Lifecycle;

/// <summary>Who the current call acts as, for the audit log.</summary>
public interface IAuditActor
{
    /// <summary>A key's id (<c>key_…</c>), or <c>local</c> for an in-process command or a keyless loopback call.</summary>
    string Id { get; }
}
