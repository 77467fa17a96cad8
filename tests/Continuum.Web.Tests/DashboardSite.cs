using Continuum.Server.Tests.Api;

namespace Continuum.Web.Tests;

/// <summary>
/// One real server holding <see cref="DashboardSeed"/> for the dashboard tests of a class. The tests that write (an
/// appended event, an agent's status) only add to what the others look for.
/// </summary>
public sealed class DashboardSite : IAsyncLifetime
{
    public ApiServer Server { get; private set; } = null!;

    public DashboardSeed Seed { get; private set; } = null!;

    public Uri Address => Server.Http.BaseAddress!;

    public async Task InitializeAsync()
    {
        Server = await ApiServer.StartAsync();
        Seed = await DashboardSeed.WriteAsync(Server);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
