namespace Continuum.Lifecycle;

/// <summary>Every call acts as <c>local</c>: the actor when no keys are in use.</summary>
public sealed class LocalAuditActor : IAuditActor
{
    /// <summary>The actor's name.</summary>
    public const string Local = "local";

    /// <inheritdoc />
    public string Id => Local;
}
