using Continuum.Search;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Continuum.AspNetCore;

/// <summary>
/// The embedding index in <c>/health</c>: healthy however far behind it is (lexical search finds everything at once;
/// dense hits join as vectors are made), with the model, the backlog and the last batch in its data.
/// </summary>
public sealed class SearchIndexHealthCheck(SearchIndexStatus status) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var s = await status.GetAsync(cancellationToken).ConfigureAwait(false);
            var data = new Dictionary<string, object>
            {
                ["provider"] = s.Provider,
                ["backlog"] = s.Backlog,
                ["embedded"] = s.Embedded,
            };
            if (s.LastIndexedAt is { } at)
            {
                data["lastIndexedAt"] = at;
            }

            return HealthCheckResult.Healthy(s.Enabled ? $"{s.Provider}: {s.Backlog} events waiting for vectors" : "no embedding model: lexical search", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Degraded("The embedding index's progress could not be read.", ex);
        }
    }
}
