using Continuum.Sessions;
using Continuum.Stats;
using Continuum.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore;

/// <summary>Statistics and health.</summary>
internal static class OperationsEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/stats", StatsAsync).WithTags("Operations").WithSummary("Totals: sessions, users, messages, tokens, by interface and status.");
    }

    private static async Task<Ok<StatsResponse>> StatsAsync(IStatsService stats, IStoreMigrator store, Tenancy.ITenantContext tenant, IServiceProvider services, CancellationToken cancellationToken) =>
        TypedResults.Ok(new StatsResponse(store.Describe().Split(':')[0], await stats.GetStatsAsync(cancellationToken).ConfigureAwait(false))
        {
            SessionCache = (services.GetService(typeof(ISessionCacheReport)) as ISessionCacheReport)?.Snapshot(),
            AppendGroups = (services.GetService(typeof(IAppendGroupReport)) as IAppendGroupReport)?.AppendGroups,
            Search = services.GetService(typeof(Search.SearchIndexStatus)) is Search.SearchIndexStatus index ? await index.GetAsync(cancellationToken).ConfigureAwait(false) : null,
            Retention = services.GetService(typeof(Continuum.Lifecycle.IRetentionStore)) is Continuum.Lifecycle.IRetentionStore retention ? await retention.TotalsAsync(tenant.TenantId, cancellationToken).ConfigureAwait(false) : null,
        });
}
