using Continuum.Errors;
using Continuum.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Continuum.AspNetCore.Security;

/// <summary>
/// Checks the API key of every request when keys are on (<c>Continuum:Security:RequireKeys</c>, or any non-loopback
/// binding) and makes its caller the current one (<see cref="CallerContext"/>), so every service confines the call to
/// the key's tenant and binding. Every path needs a key except <c>/health</c>, <c>/openapi/…</c> and endpoints marked
/// <see cref="SecurityEndpointConventions.AllowAnonymousAccess{TBuilder}"/>; routes added later are covered by default.
/// No key or a bad one is a 401 with <c>WWW-Authenticate: Bearer</c>; a valid key without the scope, or a bound key
/// where its binding does not reach, is a 403. A request without an <c>Authorization</c> header may present the
/// dashboard's sign-in cookie instead (<see cref="SignInCookie"/>); a browser asking for a dashboard page without a
/// valid key is redirected to the sign-in page.
/// </summary>
internal sealed class ApiKeyAuthentication(RequestDelegate next, IApiKeyService keys, IProblemDetailsService problems, IOptions<ContinuumOptions> options)
{
    /// <summary>The <see cref="HttpContext.Items"/> slot of the request's caller (null for a keyless local call).</summary>
    public const string CallerItem = "continuum.caller";

    /// <summary>The <see cref="HttpContext.Items"/> slot of the scope the request needs.</summary>
    public const string ScopeItem = "continuum.scope";

    private static readonly (string Prefix, BoundKeyAccess Access)[] BoundPaths =
    [
        ("/api/sessions", BoundKeyAccess.User),
        ("/api/memories", BoundKeyAccess.User),
        ("/api/search", BoundKeyAccess.User),
        ("/api/users", BoundKeyAccess.User),
        ("/api/agents", BoundKeyAccess.AgentNamespace),
        ("/api/messages", BoundKeyAccess.AgentNamespace),
        ("/api/shared", BoundKeyAccess.AgentNamespace),
    ];

    private readonly bool _required = options.Value.Security.RequireKeys;

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        var path = context.Request.Path;
        var scope = ScopeOf(context, endpoint);
        context.Items[ScopeItem] = scope;
        if (!_required || IsAnonymous(path, endpoint))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        Caller caller;
        try
        {
            caller = await keys.AuthenticateAsync(Bearer(context.Request, endpoint) ?? SignInCookie.From(context, endpoint), context.RequestAborted).ConfigureAwait(false);
        }
        catch (UnauthenticatedException e)
        {
            if (SignInCookie.LoginRedirect(context, endpoint) is { } login)
            {
                context.Response.Redirect(login);
                return;
            }

            context.Response.Headers.WWWAuthenticate = "Bearer";
            await RefuseAsync(context, 401, e.ErrorType, e.Message).ConfigureAwait(false);
            return;
        }

        if (!caller.Has(scope))
        {
            await RefuseAsync(context, 403, "forbidden", $"This needs a key with the '{scope}' scope; this key has {string.Join(", ", caller.Scopes)}.").ConfigureAwait(false);
            return;
        }

        // Admin actions (keys, the audit log, export, import, forgetting a user) act on the whole tenant.
        if (caller.IsBound && scope == ApiScopes.Admin)
        {
            await RefuseAsync(context, 403, "forbidden", "Admin actions need a key bound to no user or agent namespace.").ConfigureAwait(false);
            return;
        }

        if (caller.IsBound && !Reaches(caller, path, endpoint))
        {
            var binding = caller.UserId is not null ? "one user" : "one agent namespace";
            await RefuseAsync(context, 403, "forbidden", $"A key bound to {binding} cannot call {context.Request.Method} {path}.").ConfigureAwait(false);
            return;
        }

        context.Items[CallerItem] = caller;
        using (CallerContext.Use(caller))
        {
            await next(context).ConfigureAwait(false);
        }
    }

    private static string ScopeOf(HttpContext context, Endpoint? endpoint)
    {
        if (endpoint?.Metadata.GetMetadata<ScopeRequirement>() is { } required)
        {
            return required.Scope;
        }

        // Admin routes (keys, the audit log, export, import, forget, retention) say so in their metadata; the
        // rest follow the method.
        var path = context.Request.Path;
        // A search is a read that sends its query as a body.
        if (path.Equals("/api/search", StringComparison.OrdinalIgnoreCase))
        {
            return ApiScopes.Read;
        }

        return HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method)
            ? ApiScopes.Read
            : ApiScopes.Write;
    }

    private static bool IsAnonymous(PathString path, Endpoint? endpoint) =>
        endpoint?.Metadata.GetMetadata<AnonymousAccessMetadata>() is not null
        || path.Equals("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/openapi");

    private static bool Reaches(Caller caller, PathString path, Endpoint? endpoint)
    {
        var needed = caller.UserId is not null ? BoundKeyAccess.User : BoundKeyAccess.AgentNamespace;
        if (endpoint is null)
        {
            return false;
        }

        if (endpoint.Metadata.GetMetadata<BoundKeyMetadata>() is { } declared)
        {
            return declared.Access.HasFlag(needed);
        }

        foreach (var (prefix, access) in BoundPaths)
        {
            if (path.StartsWithSegments(prefix))
            {
                return access.HasFlag(needed);
            }
        }

        return false;
    }

    private static string? Bearer(HttpRequest request, Endpoint? endpoint)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0 && endpoint?.Metadata.GetMetadata<WebSocketKeyMetadata>() is not null && WebSocketKeyProtocol.KeyOf(request) is { } offered)
        {
            return offered;
        }

        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : header.Length == 0 ? null : "";
    }

    private async Task RefuseAsync(HttpContext context, int status, string type, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Type = ContinuumExceptionHandler.TypePrefix + type,
                Title = ContinuumExceptionHandler.TitleFor(status),
                Detail = detail,
            },
        }).ConfigureAwait(false);
    }
}
