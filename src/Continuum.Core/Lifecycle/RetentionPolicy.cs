using System.Text.Json.Serialization;

namespace Continuum.Lifecycle;

/// <summary>
/// What retention deletes in one tenant. A field left null takes its value from the level below: a policy stored
/// over the API, then <c>Continuum:Retention:Tenants:&lt;tenant&gt;</c>, then <c>Continuum:Retention</c>. A number of days
/// of 0 turns that deletion off.
/// </summary>
public sealed class RetentionPolicy
{
    /// <summary>Events older than this many days are deleted (0: kept forever).</summary>
    public int? EventDays { get; set; }

    /// <summary>Closed sessions whose last activity is older than this many days are deleted with all of theirs (0: kept forever).</summary>
    public int? ClosedSessionDays { get; set; }

    /// <summary>Whether summaries older than <see cref="EventDays"/> go with the events (by default they are kept).</summary>
    public bool? DeleteSummaries { get; set; }

    /// <summary>
    /// Whether long-term memories not updated for <see cref="EventDays"/> go too, and a deleted closed session's
    /// memories with it (by default memories are kept).
    /// </summary>
    public bool? DeleteMemories { get; set; }

    /// <summary>True when the policy deletes anything at all.</summary>
    [JsonIgnore]
    public bool DeletesAnything => EventDays > 0 || ClosedSessionDays > 0;

    /// <summary>This policy with its null fields taken from <paramref name="fallback"/>.</summary>
    /// <param name="fallback">The level below, or null.</param>
    public RetentionPolicy Over(RetentionPolicy? fallback) => new()
    {
        EventDays = EventDays ?? fallback?.EventDays,
        ClosedSessionDays = ClosedSessionDays ?? fallback?.ClosedSessionDays,
        DeleteSummaries = DeleteSummaries ?? fallback?.DeleteSummaries,
        DeleteMemories = DeleteMemories ?? fallback?.DeleteMemories,
    };

    /// <summary>Every field set: nulls become 0 days and false.</summary>
    public RetentionPolicy Resolved() => new()
    {
        EventDays = EventDays ?? 0,
        ClosedSessionDays = ClosedSessionDays ?? 0,
        DeleteSummaries = DeleteSummaries ?? false,
        DeleteMemories = DeleteMemories ?? false,
    };

    /// <summary>The problem with this policy for a message that names <paramref name="where"/>, or null when it is valid.</summary>
    /// <param name="where">Where the policy was set, e.g. <c>Continuum:Retention</c>.</param>
    public string? Problem(string where)
    {
        if (EventDays is < 0 or > MaxDays)
        {
            return $"{where}:EventDays must be between 0 (off) and {MaxDays} days; it is {EventDays}.";
        }

        if (ClosedSessionDays is < 0 or > MaxDays)
        {
            return $"{where}:ClosedSessionDays must be between 0 (off) and {MaxDays} days; it is {ClosedSessionDays}.";
        }

        return null;
    }

    /// <summary>The longest retention a policy can name (100 years).</summary>
    public const int MaxDays = 36500;
}
