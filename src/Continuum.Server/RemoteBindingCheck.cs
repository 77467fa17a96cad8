using Continuum.Security;

namespace Continuum.Server;

/// <summary>
/// Refuses to start a server bound beyond loopback while no admin key exists (after the schema is migrated, before
/// the first request), with the command that makes the first one. Keys required on purpose
/// (<c>Continuum:Security:RequireKeys=true</c>) let it start with none.
/// </summary>
internal sealed class RemoteBindingCheck(IApiKeyService keys, IReadOnlyList<string> remote, bool explicitlyRequired) : IHostedService
{
    /// <summary>The command that makes the first admin key, in-process on the data directory.</summary>
    public const string FirstKeyCommand = "continuum keys create --tenant default --scopes read,write,admin --json";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (explicitlyRequired || await keys.CountActiveAdminKeysAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            return;
        }

        throw new InvalidOperationException(
            $"Refusing to serve {string.Join(", ", remote)} without API keys: the store holds no admin key. Create the first one on this machine " +
            $"with '{FirstKeyCommand}' (it runs in-process on the data directory and prints the secret once), then start again and send it as " +
            "Authorization: Bearer. Or bind to 127.0.0.1; or set Continuum:Security:RequireKeys=true to start with keys required and none made yet; " +
            "or set Continuum:Security:AllowUnauthenticatedRemote=true if a proxy in front authenticates every request.");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
