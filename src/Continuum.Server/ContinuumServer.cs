using System.Net;
using Continuum.AspNetCore;
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
        builder.Services.AddContinuumMcp();
        var limits = builder.Configuration.GetSection("Continuum:Limits").Get<InputLimits>() ?? new InputLimits();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = limits.MaxRequestBytes);

        var app = builder.Build();
        RequireLoopbackOrConsent(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseContinuumRequestValidation();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.MapContinuumApi();
        app.MapContinuumMcp();
        app.MapContinuumWebChat();
        app.MapGet("/", () => Results.Redirect("/openapi/v1.json")).ExcludeFromDescription();
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

    // There are no API keys in this build: serving beyond this machine would expose every user's data.
    private static void RequireLoopbackOrConsent(WebApplication app)
    {
        var urls = (app.Configuration["urls"] ?? app.Configuration["ASPNETCORE_URLS"] ?? DefaultUrl)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var remote = urls.Where(u => !IsLoopback(u)).ToList();
        if (remote.Count > 0 && !app.Configuration.GetValue("Continuum:Security:AllowUnauthenticatedRemote", false))
        {
            throw new InvalidOperationException(
                $"Refusing to serve {string.Join(", ", remote)} without authentication. Bind to 127.0.0.1, or set " +
                "Continuum:Security:AllowUnauthenticatedRemote=true if a proxy in front authenticates every request.");
        }
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
