using System.Net;
using Continuum.AspNetCore;
using Continuum.AspNetCore.Security;
using Continuum.Channels;
using Continuum.Dashboard;
using Continuum.Mcp;
using Continuum.Validation;

namespace Continuum.Server;

/// <summary>Builds the Continuum web host: the store chosen by configuration, the API, and its middleware.</summary>
public static class ContinuumServer
{
    /// <summary>The environment variable naming the data directory.</summary>
    public const string DataEnvironmentVariable = "CONTINUUM_DATA";

    /// <summary>The address served when none is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Builds the host from <paramref name="args"/> (ASP.NET Core's usual configuration: <c>--urls</c>,
    /// <c>--Continuum:Section:Key value</c>, environment variables <c>Continuum__Section__Key</c>, appsettings.json).
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelHttpsConfiguration();
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        configure?.Invoke(builder);
        builder.Services.AddContinuum(builder.Configuration);
        builder.Services.AddContinuumApi();
        builder.Services.AddContinuumChannels(builder.Configuration);
        builder.Services.AddContinuumDashboard();
        builder.Services.AddContinuumMcp();
        var limits = builder.Configuration.GetSection("Continuum:Limits").Get<InputLimits>() ?? new InputLimits();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = limits.MaxRequestBytes);
        RequireKeysBeyondLoopback(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseContinuumSecurity();
        app.UseContinuumRequestValidation();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseAntiforgery();
        app.MapContinuumApi();
        app.MapContinuumChannels();
        app.MapContinuumMcp();
        app.MapContinuumWebChat();
        app.MapContinuumDashboard();
        return app;
    }

    /// <summary>
    /// The data directory: <c>Continuum:DataDirectory</c>, else <c>CONTINUUM_DATA</c>, else the user's local
    /// application data folder.
    /// </summary>
    public static string DataDirectory(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration["Continuum:DataDirectory"] ?? Environment.GetEnvironmentVariable(DataEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        return Path.Combine(string.IsNullOrEmpty(local) ? Path.GetTempPath() : local, "continuum");
    }

    // Beyond loopback anyone who can reach the server could read every tenant's data: keys are required there, and
    // the server refuses to start until the store holds an admin key (or keys were required on purpose), unless a
    // proxy in front authenticates every request.
    private static void RequireKeysBeyondLoopback(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var urls = (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? DefaultUrl)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var remote = urls.Where(u => !IsLoopback(u)).ToList();
        if (remote.Count == 0 || configuration.GetValue("Continuum:Security:AllowUnauthenticatedRemote", false))
        {
            return;
        }

        var explicitlyRequired = configuration.GetValue("Continuum:Security:RequireKeys", false);
        builder.Services.PostConfigure<ContinuumOptions>(o => o.Security.RequireKeys = true);
        builder.Services.AddHostedService(sp => new RemoteBindingCheck(sp.GetRequiredService<Continuum.Security.IApiKeyService>(), remote, explicitlyRequired));
    }

    private static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
