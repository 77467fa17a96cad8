using System.Net.Http.Headers;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Security;

namespace Continuum.Web.Tests;

/// <summary>
/// One real server with keys required (<c>Continuum:Security:RequireKeys</c>) holding <see cref="DashboardSeed"/>,
/// written with an admin key; the keys a test signs in with are made in-process, as <c>continuum keys create</c> does.
/// </summary>
public sealed class KeyedDashboardSite : IAsyncLifetime
{
    public ApiServer Server { get; private set; } = null!;

    public DashboardSeed Seed { get; private set; } = null!;

    public Uri Address => Server.Http.BaseAddress!;

    public async Task InitializeAsync()
    {
        Server = await ApiServer.StartAsync("--Continuum:Security:RequireKeys", "true");
        var admin = await KeyedClient.CreateKeyAsync(Server, "default", "read,write,admin");
        Server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin.Secret);
        Seed = await DashboardSeed.WriteAsync(Server);
    }

    /// <summary>A new key of the default tenant with <paramref name="scopes"/> (comma-separated); its secret.</summary>
    public async Task<string> NewKeyAsync(string scopes, string? userId = null) =>
        (await KeyedClient.CreateKeyAsync(Server, "default", scopes, userId)).Secret;

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
