using Continuum.Hosting;
using Continuum.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Lifecycle;

/// <summary>
/// Applies every tenant's retention policy each <see cref="RetentionOptions.Interval"/>, on one node of a cluster at a
/// time (the <c>retention</c> lease). It deletes in bounded transactions, adds what it removed to the tenant's totals
/// (<c>/api/stats</c>) and writes an audit record, counts only, of each run that removed something.
/// </summary>
public sealed partial class RetentionService(
    IRetentionStore store,
    IClusterLease lease,
    IOptions<ContinuumOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    /// <summary>The cluster lease the job runs under.</summary>
    public const string LeaseName = "retention";

    /// <summary>The audit action of a run that removed something.</summary>
    public const string AuditAction = "retention.run";

    /// <summary>The actor of the job's audit records.</summary>
    public const string Actor = "retention";

    private long _runs;
    private long _skipped;

    /// <summary>How many runs this node made while holding the lease.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>How many times this node found the lease held by another node and did nothing.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Retention.Interval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One failed run must not stop the next; every batch already deleted is committed.
                LogRunFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One run over every tenant, when this node gets the lease.</summary>
    /// <returns>What was removed per tenant, or null when another node holds the lease.</returns>
    public async Task<IReadOnlyList<RetentionRun>?> RunOnceAsync(CancellationToken cancellationToken)
    {
        var held = await lease.TryAcquireAsync(LeaseName, cancellationToken).ConfigureAwait(false);
        if (held is null)
        {
            Interlocked.Increment(ref _skipped);
            return null;
        }

        await using (held.ConfigureAwait(false))
        {
            Interlocked.Increment(ref _runs);
            var retention = options.Value.Retention;
            var stored = await store.PoliciesAsync(cancellationToken).ConfigureAwait(false);
            if (!retention.ConfiguresAnything && !stored.Values.Any(p => p.DeletesAnything))
            {
                return [];
            }

            // Every tenant when the default deletes anything; otherwise only those with a policy of their own.
            IEnumerable<string> tenants = retention.Default.DeletesAnything
                ? await store.TenantsAsync(cancellationToken).ConfigureAwait(false)
                : retention.Tenants.Keys.Concat(stored.Keys);
            var runs = new List<RetentionRun>();
            foreach (var tenantId in tenants.Distinct(StringComparer.Ordinal))
            {
                var policy = RetentionPolicies.Effective(retention, tenantId, stored.GetValueOrDefault(tenantId));
                if (!policy.DeletesAnything)
                {
                    continue;
                }

                var run = await ApplyAsync(tenantId, policy, retention.BatchSize, cancellationToken).ConfigureAwait(false);
                var now = time.GetUtcNow();
                var audit = run.RemovedAnything ? new AuditEntry(tenantId, Actor, AuditAction, null, run.Removed, now) : null;
                await store.RecordRunAsync(tenantId, run.Removed, now, audit, cancellationToken).ConfigureAwait(false);
                if (run.RemovedAnything)
                {
                    LogRemoved(logger, tenantId, run.Removed.GetValueOrDefault("events"), run.Removed.GetValueOrDefault("sessions"));
                }

                runs.Add(run);
            }

            return runs;
        }
    }

    private async Task<RetentionRun> ApplyAsync(string tenantId, RetentionPolicy policy, int limit, CancellationToken cancellationToken)
    {
        var removed = new Dictionary<string, long>(StringComparer.Ordinal) { ["events"] = 0, ["sessions"] = 0, ["summaries"] = 0, ["memories"] = 0, ["embeddings"] = 0 };
        var now = time.GetUtcNow();

        async Task RepeatAsync(Func<Task<IReadOnlyDictionary<string, long>>> batch)
        {
            // Each call is one transaction of at most `limit` rows; the last call finds nothing more.
            while (true)
            {
                var counts = await batch().ConfigureAwait(false);
                foreach (var (kind, n) in counts)
                {
                    removed[kind] = removed.GetValueOrDefault(kind) + n;
                }

                if (counts.Values.Sum() == 0)
                {
                    return;
                }
            }
        }

        if (policy.ClosedSessionDays > 0)
        {
            var before = now.AddDays(-policy.ClosedSessionDays.Value);
            await RepeatAsync(() => store.DeleteClosedSessionsAsync(tenantId, before, policy.DeleteMemories == true, limit, cancellationToken)).ConfigureAwait(false);
        }

        if (policy.EventDays > 0)
        {
            var before = now.AddDays(-policy.EventDays.Value);
            await RepeatAsync(() => store.DeleteEventsAsync(tenantId, before, limit, cancellationToken)).ConfigureAwait(false);
            if (policy.DeleteSummaries == true)
            {
                await RepeatAsync(() => store.DeleteSummariesAsync(tenantId, before, limit, cancellationToken)).ConfigureAwait(false);
            }

            if (policy.DeleteMemories == true)
            {
                await RepeatAsync(() => store.DeleteMemoriesAsync(tenantId, before, limit, cancellationToken)).ConfigureAwait(false);
            }
        }

        return new RetentionRun(tenantId, removed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Events} events and {Sessions} closed sessions from tenant {TenantId}")]
    private static partial void LogRemoved(ILogger logger, string tenantId, long events, long sessions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention run failed; will try again next interval")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);
}
