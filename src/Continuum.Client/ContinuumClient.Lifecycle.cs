using Continuum.Lifecycle;

namespace Continuum.Client;

/// <summary>The data lifecycle over HTTP: forgetting users, export and import.</summary>
public sealed partial class ContinuumClient : ILifecycleService
{
    /// <inheritdoc />
    public Task<ForgetResult> ForgetUserAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<ForgetResult>(HttpMethod.Delete, $"api/users/{Escape(userId)}?forget=true", null, cancellationToken);
}
