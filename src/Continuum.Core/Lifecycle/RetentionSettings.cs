namespace Continuum.Lifecycle;

/// <summary>A tenant's retention: what configuration says, what an admin stored, and what the job applies.</summary>
/// <param name="Configured">From <c>Continuum:Retention</c> and its tenant override.</param>
/// <param name="Stored">Stored over the API (wins field by field), or null.</param>
/// <param name="Effective">What the job applies: the stored policy over the configured one, every field set.</param>
public sealed record RetentionSettings(RetentionPolicy Configured, RetentionPolicy? Stored, RetentionPolicy Effective);
