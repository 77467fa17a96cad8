using System.Net;
using Continuum.AspNetCore;
using Continuum.Storage.Postgres;
using Continuum.Storage.Sqlite;

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
        var dataDirectory = DataDirectory(builder.Configuration);
        var provider = builder.Configuration["Continuum:Storage:Provider"] ?? "sqlite";
        var continuum = builder.Services.AddContinuum();
        builder.Services.AddOptions<ContinuumOptions>().Bind(builder.Configuration.GetSection(ContinuumOptions.SectionName));
        switch (provider.ToLowerInvariant())
        {
            case "sqlite":
                var path = builder.Configuration["Continuum:Storage:Sqlite:Path"] ?? Path.Combine(dataDirectory, "continuum.db");
                continuum.UseSqlite(path);
                builder.Services.AddOptions<SqliteStoreOptions>().Bind(builder.Configuration.GetSection("Continuum:Storage:Sqlite")).PostConfigure(o => o.Path = path);
                break;
            case "postgres" or "postgresql":
                var connectionString = builder.Configuration["Continuum:Storage:Postgres:ConnectionString"];
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException("Continuum:Storage:Provider is 'postgres' but Continuum:Storage:Postgres:ConnectionString is not set (e.g. Host=db;Username=continuum;Database=continuum).");
                }

                var appendWriters = builder.Configuration.GetValue("Continuum:Storage:Postgres:AppendWriters", Continuum.Storage.Postgres.PostgresEventStore.DefaultAppendWriters);
                if (appendWriters is < 1 or > 64)
                {
                    throw new InvalidOperationException($"Continuum:Storage:Postgres:AppendWriters is {appendWriters}; it must be between 1 and 64.");
                }

                continuum.UsePostgres(connectionString, builder.Configuration.GetValue("Continuum:Storage:Postgres:SessionCacheSize", Continuum.Storage.Postgres.PostgresSessionCache.DefaultCapacity), appendWriters);
                break;
            default:
                throw new InvalidOperationException($"Continuum:Storage:Provider is '{provider}'; this build supports 'sqlite' and 'postgres'.");
        }

        builder.Services.AddContinuumApi();
        var limits = builder.Configuration.GetSection("Continuum:Limits").Get<InputLimits>() ?? new InputLimits();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = limits.MaxRequestBytes);

        var app = builder.Build();
        RequireLoopbackOrConsent(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseContinuumRequestValidation();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.MapContinuumApi();
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
