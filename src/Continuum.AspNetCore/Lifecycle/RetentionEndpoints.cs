using Continuum.AspNetCore.Security;
using Continuum.Lifecycle;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore.Lifecycle;

/// <summary>The calling tenant's retention policy under <c>/api/retention</c>.</summary>
internal static class RetentionEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        // Admin only: the policy deletes the tenant's data.
        var admin = api.MapGroup("/retention").WithTags(AuditEndpoints.AdminTag).RequireScope(Continuum.Security.ApiScopes.Admin);
        admin.MapGet("", GetAsync).WithSummary("The tenant's retention: what configuration sets, what is stored, and the effective policy the background job applies.");
        admin.MapPut("", SetAsync).WithSummary("Store the tenant's retention policy (null fields inherit the configuration; 0 days turns a deletion off); audited.");
        admin.MapDelete("", ClearAsync).WithSummary("Remove the tenant's stored policy: configuration applies again; audited.");
    }

    private static async Task<Ok<RetentionSettings>> GetAsync(RetentionPolicies policies, CancellationToken cancellationToken) =>
        TypedResults.Ok(await policies.GetAsync(cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<RetentionSettings>> SetAsync(RetentionPolicy? policy, RetentionPolicies policies, CancellationToken cancellationToken)
    {
        if (policy is null)
        {
            throw new Continuum.Errors.ValidationException("body", "must be a retention policy, e.g. {\"eventDays\": 90, \"closedSessionDays\": 30}.");
        }

        return TypedResults.Ok(await policies.SetAsync(policy, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Ok<RetentionSettings>> ClearAsync(RetentionPolicies policies, CancellationToken cancellationToken) =>
        TypedResults.Ok(await policies.SetAsync(null, cancellationToken).ConfigureAwait(false));
}
