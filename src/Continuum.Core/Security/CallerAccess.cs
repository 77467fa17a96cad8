using Continuum.Errors;
using Continuum.Sessions;

namespace Continuum.Security;

/// <summary>
/// What a bound caller may reach, decided once for every service. A key bound to one user sees only that user's
/// sessions, events, memories, entities and search; a key bound to one agent namespace only that namespace's agents,
/// messages and shared memory. Anything else is answered as if it did not exist (404), so a key never learns that
/// another user's or namespace's id is real; a capability the binding never reaches is a 403.
/// </summary>
public static class CallerAccess
{
    /// <summary>The user the current caller is bound to, or null.</summary>
    public static string? BoundUser => CallerContext.Current?.UserId;

    /// <summary>The agent namespace the current caller is bound to, or null.</summary>
    public static string? BoundNamespace => CallerContext.Current?.AgentNamespace;

    /// <summary>Throws <see cref="NotFoundException"/> when the caller is bound to a user other than <paramref name="userId"/>.</summary>
    public static void EnsureUser(string? userId, string what, string id)
    {
        if (BoundUser is { } bound && !string.Equals(bound, userId, StringComparison.Ordinal))
        {
            throw new NotFoundException(what, id);
        }
    }

    /// <summary>True when the caller may see data of <paramref name="userId"/>.</summary>
    public static bool SeesUser(string? userId) => BoundUser is not { } bound || string.Equals(bound, userId, StringComparison.Ordinal);

    /// <summary>
    /// The user a listing is confined to: <paramref name="requested"/> for an unbound caller; for a user-bound caller its
    /// user, and a 404 when it asked for another.
    /// </summary>
    public static string? ConfineUser(string? requested)
    {
        if (BoundUser is not { } bound)
        {
            return requested;
        }

        return requested is null || string.Equals(requested, bound, StringComparison.Ordinal) ? bound : throw new NotFoundException("User", requested);
    }

    /// <summary>Throws <see cref="NotFoundException"/> when the caller is bound to a namespace other than <paramref name="ns"/>.</summary>
    public static void EnsureNamespace(string ns, string what, string id)
    {
        if (BoundNamespace is { } bound && !string.Equals(bound, ns, StringComparison.Ordinal))
        {
            throw new NotFoundException(what, id);
        }
    }

    /// <summary>The namespace to use: <paramref name="given"/>, else the bound one (null when neither).</summary>
    public static string? DefaultNamespace(string? given) => given ?? BoundNamespace;

    /// <summary>Throws <see cref="ForbiddenException"/> when the caller is bound to a user: <paramref name="what"/> is not one user's.</summary>
    public static void RequireNotUserBound(string what)
    {
        if (BoundUser is not null)
        {
            throw new ForbiddenException($"A key bound to one user cannot {what}.");
        }
    }

    /// <summary>Throws <see cref="ForbiddenException"/> unless the caller holds <paramref name="scope"/>.</summary>
    public static void RequireScope(string scope)
    {
        if (CallerContext.Current is { } caller && !caller.Has(scope))
        {
            throw new ForbiddenException($"This needs a key with the '{scope}' scope.");
        }
    }

    /// <summary>
    /// For a user-bound caller, reads the session and throws <see cref="NotFoundException"/> unless it is the bound
    /// user's; for any other caller it reads nothing.
    /// </summary>
    public static async Task EnsureSessionAsync(ISessionStore sessions, string tenantId, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        if (BoundUser is null)
        {
            return;
        }

        var session = await sessions.GetAsync(tenantId, sessionId, cancellationToken).ConfigureAwait(false);
        if (session is null || !SeesUser(session.UserId))
        {
            throw new NotFoundException("Session", sessionId);
        }
    }
}
