using System.Data.Common;
using System.Text.Json;
using Continuum.Json;

namespace Continuum.Lifecycle;

/// <summary>How both stores keep retention: stored policies as JSON, totals as one row per tenant and kind.</summary>
internal static class RetentionRows
{
    /// <summary>The kinds kept in <c>retention_totals</c>.</summary>
    public static readonly string[] Kinds = ["events", "sessions", "summaries", "memories"];

    /// <summary>The columns <see cref="ReadTotalsAsync"/> expects, in order.</summary>
    public const string TotalsColumns = "kind, removed, last_run_at";

    /// <summary>A policy as stored.</summary>
    public static string PolicyJson(RetentionPolicy policy) => JsonSerializer.Serialize(policy, JsonDefaults.Options);

    /// <summary>A stored policy.</summary>
    public static RetentionPolicy ReadPolicy(string json) => JsonSerializer.Deserialize<RetentionPolicy>(json, JsonDefaults.Options) ?? new RetentionPolicy();

    /// <summary>The totals from the rows of <see cref="TotalsColumns"/>.</summary>
    public static async Task<RetentionTotals> ReadTotalsAsync(DbDataReader r, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(r);
        var removed = new Dictionary<string, long>(StringComparer.Ordinal);
        DateTimeOffset? last = null;
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            removed[r.GetString(0)] = r.GetInt64(1);
            var at = new DateTimeOffset(r.GetInt64(2), TimeSpan.Zero);
            last = last is null || at > last ? at : last;
        }

        return last is null
            ? RetentionTotals.None
            : new RetentionTotals(removed.GetValueOrDefault("events"), removed.GetValueOrDefault("sessions"), removed.GetValueOrDefault("summaries"), removed.GetValueOrDefault("memories"), last);
    }

    /// <summary>Adds <paramref name="extra"/> to <paramref name="into"/>, kind by kind.</summary>
    public static void Add(Dictionary<string, long> into, string kind, long extra) => into[kind] = into.GetValueOrDefault(kind) + extra;

    /// <summary>The ids as a JSON array, for a store to expand inside a statement.</summary>
    public static string IdsJson<T>(IEnumerable<T> ids) => JsonSerializer.Serialize(ids);
}
