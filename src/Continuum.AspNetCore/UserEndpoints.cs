using Continuum.Errors;
using Continuum.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore;

/// <summary>Users and identities under <c>/api/users</c> and <c>/api/identities</c>.</summary>
internal static class UserEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users");
        users.MapPost("/resolve", ResolveAsync).WithSummary("The user an external identity resolves to: 201 when it was created on first sight, 200 when it was there.");
        users.MapPost("/link", LinkAsync).WithSummary("Redeem a link code: link this interface's identity to the code's user.");
        users.MapGet("/{id}", GetAsync).WithSummary("A user and their identities.");
        users.MapPost("/{id}/link-codes", CreateLinkCodeAsync).WithSummary("Issue a one-time code to link another interface.");
        users.MapPost("/{id}/merge", MergeAsync).WithSummary("Merge another user into this one.");
        api.MapDelete("/identities/{interface}/{externalUserId}", UnlinkAsync).WithTags("Users").WithSummary("Unlink an identity.");
    }

    private static async Task<Results<Created<User>, Ok<User>>> ResolveAsync(IdentityRef? identity, IIdentityService identities, CancellationToken cancellationToken)
    {
        var resolved = await identities.ResolveIdentityAsync(RequestBody.Require(identity), cancellationToken).ConfigureAwait(false);
        return resolved.Created ? TypedResults.Created($"/api/users/{resolved.User.Id}", resolved.User) : TypedResults.Ok(resolved.User);
    }

    private static async Task<Ok<User>> LinkAsync(LinkRequest? request, IIdentityService identities, CancellationToken cancellationToken) =>
        TypedResults.Ok(await identities.LinkAsync(RequestBody.Require(request), cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<User>> GetAsync(string id, IIdentityService identities, CancellationToken cancellationToken) =>
        TypedResults.Ok(await identities.GetUserAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", id));

    private static async Task<Created<LinkCode>> CreateLinkCodeAsync(string id, IIdentityService identities, CancellationToken cancellationToken) =>
        TypedResults.Created((string?)null, await identities.CreateLinkCodeAsync(id, cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<User>> MergeAsync(string id, MergeRequest? request, IIdentityService identities, CancellationToken cancellationToken) =>
        TypedResults.Ok(await identities.MergeAsync(id, RequestBody.Require(request).UserId!, cancellationToken).ConfigureAwait(false));

    private static async Task<NoContent> UnlinkAsync(string @interface, string externalUserId, IIdentityService identities, CancellationToken cancellationToken) =>
        await identities.UnlinkAsync(@interface, externalUserId, cancellationToken).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : throw new NotFoundException("Identity", $"{@interface}:{externalUserId}");
}
