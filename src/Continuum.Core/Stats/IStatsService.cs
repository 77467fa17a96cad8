namespace Continuum.Stats;

/// <summary>Statistics for operators.</summary>
public interface IStatsService
{
    /// <summary>Totals over the tenant's sessions.</summary>
    Task<SessionStats> GetStatsAsync(CancellationToken cancellationToken = default);
}
