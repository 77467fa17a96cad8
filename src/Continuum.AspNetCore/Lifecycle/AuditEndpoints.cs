using Continuum.AspNetCore.Security;
using Continuum.Security;
using Continuum.Tenancy;
using Continuum.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore.Lifecycle;

/// <summary>The audit log under <c>/api/audit</c>.</summary>
internal static class AuditEndpoints
{
    /// <summary>The tag of the admin-only operations (the audit log, export, import, forget).</summary>
    public const string AdminTag = "Admin";

    public static void Map(IEndpointRouteBuilder api)
    {
        // Admin only: this group reads every admin action of the tenant.
        var admin = api.MapGroup("/audit").WithTags(AdminTag).RequireScope(ApiScopes.Admin);
        admin.MapGet("", ListAsync).WithSummary("A page of the tenant's audit log (keys created and revoked, users forgotten, imports), newest first; pass next as cursor.");
    }

    private static async Task<Ok<AuditList>> ListAsync(int? limit, string? cursor, IAuditLog audit, ITenantContext tenant, CancellationToken cancellationToken)
    {
        var size = InputValidator.Range(limit ?? 100, 1, 1000, "limit");
        var page = await audit.ListAsync(tenant.TenantId, size, cursor, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new AuditList(page.Items, page.Next));
    }
}
