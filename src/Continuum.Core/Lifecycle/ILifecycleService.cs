namespace Continuum.Lifecycle;

/// <summary>The data lifecycle of a tenant: forget a user, export and import.</summary>
public interface ILifecycleService
{
    /// <summary>
    /// Erases everything about a user (see <see cref="ILifecycleStore.ForgetUserAsync"/>) and records a
    /// <c>user.forgotten</c> audit entry with the counts, never content. A merged user's id forgets the survivor.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="Errors.NotFoundException">No such user.</exception>
    Task<ForgetResult> ForgetUserAsync(string userId, CancellationToken cancellationToken = default);
}
