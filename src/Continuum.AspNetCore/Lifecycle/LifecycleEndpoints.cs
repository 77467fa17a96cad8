using Continuum.Errors;
using Continuum.Lifecycle;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore.Lifecycle;

/// <summary>Forgetting users, export and import.</summary>
internal static class LifecycleEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        // Admin only: these operations erase or move a tenant's data whole.
        var admin = api.MapGroup("").WithTags(AuditEndpoints.AdminTag);
        admin.MapDelete("/users/{id}", ForgetAsync).WithSummary("With forget=true: erase everything about the user (sessions, events, summaries, memories, entities, embeddings, shared entries of their sessions); answers what was erased.");
    }

    private static async Task<Ok<ForgetResult>> ForgetAsync(string id, bool? forget, ILifecycleService lifecycle, CancellationToken cancellationToken)
    {
        if (forget != true)
        {
            throw new ValidationException("forget", "must be true: deleting a user erases everything about them; pass forget=true to confirm.");
        }

        return TypedResults.Ok(await lifecycle.ForgetUserAsync(id, cancellationToken).ConfigureAwait(false));
    }
}
