using Continuum.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore.Security;

/// <summary><c>/api/keys</c>: a tenant's admins make, list, read and revoke the tenant's keys.</summary>
internal static class KeyEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var keys = api.MapGroup("/keys").WithTags("Keys").RequireScope(ApiScopes.Admin);
        keys.MapPost("", CreateAsync).WithSummary("Make a key in the caller's tenant (201); the secret is in this answer and never again.");
        keys.MapGet("", ListAsync).WithSummary("The tenant's keys, oldest first (never their secrets); paged by limit and cursor.");
        keys.MapGet("/{id}", GetAsync).WithSummary("One of the tenant's keys.");
        keys.MapDelete("/{id}", RevokeAsync).WithSummary("Revoke a key: every node refuses it within one second. Revoking again is harmless.");
    }

    private static async Task<Created<CreatedApiKey>> CreateAsync(CreateKeyRequest body, IApiKeyService keys, CancellationToken cancellationToken)
    {
        var request = RequestBody.Require(body);
        var created = await keys.CreateAsync(new NewApiKey(request.Scopes ?? [], request.Name, request.UserId, request.AgentNamespace, request.ExpiresAt), cancellationToken)
            .ConfigureAwait(false);
        return TypedResults.Created($"/api/keys/{created.Key.Id}", created);
    }

    private static async Task<Ok<KeyList>> ListAsync(int? limit, string? cursor, IApiKeyService keys, CancellationToken cancellationToken)
    {
        var page = await keys.ListAsync(limit, cursor, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new KeyList(page.Items, page.Next));
    }

    private static async Task<Ok<ApiKey>> GetAsync(string id, IApiKeyService keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.GetAsync(id, cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<ApiKey>> RevokeAsync(string id, IApiKeyService keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.RevokeAsync(id, cancellationToken).ConfigureAwait(false));
}

/// <summary>A new key: its scopes, an optional label, an optional binding, an optional expiry.</summary>
/// <param name="Scopes">Any of <c>read</c>, <c>write</c>, <c>admin</c>.</param>
/// <param name="Name">A label for people.</param>
/// <param name="UserId">Binds the key to one user of the tenant.</param>
/// <param name="AgentNamespace">Binds the key to one agent namespace.</param>
/// <param name="ExpiresAt">When the key stops working.</param>
public sealed record CreateKeyRequest(IReadOnlyList<string>? Scopes, string? Name, string? UserId, string? AgentNamespace, DateTimeOffset? ExpiresAt);

/// <summary>A page of keys.</summary>
/// <param name="Keys">Oldest first.</param>
/// <param name="Next">The cursor of the next page, or null on the last.</param>
public sealed record KeyList(IReadOnlyList<ApiKey> Keys, string? Next);
