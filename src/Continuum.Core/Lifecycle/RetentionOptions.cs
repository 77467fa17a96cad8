namespace Continuum.Lifecycle;

/// <summary>
/// Retention (<c>Continuum:Retention</c>): the default policy of every tenant, the overrides of some tenants
/// (<c>Continuum:Retention:Tenants:&lt;tenant&gt;</c>) and how the background job runs. Off unless a number of days is set
/// here or a tenant admin stores a policy (<c>PUT /api/retention</c>).
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>Events older than this many days are deleted in every tenant (0 or unset: kept forever).</summary>
    public int? EventDays { get; set; }

    /// <summary>Closed sessions whose last activity is older than this many days are deleted (0 or unset: kept forever).</summary>
    public int? ClosedSessionDays { get; set; }

    /// <summary>Whether summaries older than <see cref="EventDays"/> are deleted too (default false: kept).</summary>
    public bool? DeleteSummaries { get; set; }

    /// <summary>Whether memories not updated for <see cref="EventDays"/>, and a deleted session's memories, go too (default false).</summary>
    public bool? DeleteMemories { get; set; }

    /// <summary>Per-tenant overrides of the fields above.</summary>
    public Dictionary<string, RetentionPolicy> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How often the job runs (default one hour).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many rows one delete transaction removes at most (default 1000), so no run holds a huge transaction.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>The configured default as a policy.</summary>
    public RetentionPolicy Default => new()
    {
        EventDays = EventDays,
        ClosedSessionDays = ClosedSessionDays,
        DeleteSummaries = DeleteSummaries,
        DeleteMemories = DeleteMemories,
    };

    /// <summary>The configured policy of <paramref name="tenantId"/>: its override over the default.</summary>
    public RetentionPolicy Configured(string tenantId) =>
        Tenants.TryGetValue(tenantId, out var own) ? own.Over(Default) : Default;

    /// <summary>True when configuration deletes anything in some tenant.</summary>
    public bool ConfiguresAnything => Default.DeletesAnything || Tenants.Values.Any(t => t.Over(Default).DeletesAnything);
}
