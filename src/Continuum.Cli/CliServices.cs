using System.CommandLine;
using Continuum.Client;
using Continuum.Context;
using Continuum.Server;
using Continuum.Sessions;
using Continuum.Stats;
using Continuum.Storage;
using Continuum.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Cli;

/// <summary>
/// The services a command uses: over HTTP when a server is named, otherwise in-process on the data directory,
/// through the same interfaces either way.
/// </summary>
internal sealed class CliServices : IAsyncDisposable
{
    private readonly ServiceProvider? _provider;
    private readonly HttpClient? _http;

    private CliServices(ISessionService sessions, IIdentityService identities, IStatsService stats, IContextService context, ServiceProvider? provider, HttpClient? http)
    {
        Context = context;
        Sessions = sessions;
        Identities = identities;
        Stats = stats;
        _provider = provider;
        _http = http;
    }

    public ISessionService Sessions { get; }

    public IIdentityService Identities { get; }

    public IStatsService Stats { get; }

    public IContextService Context { get; }

    /// <summary>The HTTP client pointed at the server (with the API key, if one was given), or null in-process.</summary>
    public HttpClient? Http => _http;

    /// <summary>Any service: the HTTP client's implementation against a server, the in-process one otherwise.</summary>
    public T Get<T>()
        where T : class =>
        _provider is not null
            ? _provider.GetRequiredService<T>()
            : Sessions as T ?? throw new CliUsageException($"This command is not available against a server ({typeof(T).Name}).");

    public static async Task<CliServices> CreateAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var server = parse.GetValue(CliOptions.Server) ?? Environment.GetEnvironmentVariable("CONTINUUM_SERVER");
        if (!string.IsNullOrWhiteSpace(server))
        {
            if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var baseAddress))
            {
                throw new CliUsageException($"--server '{server}' is not a URL (e.g. http://127.0.0.1:5080).");
            }

            var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(100) };
            if ((parse.GetValue(CliOptions.Key) ?? Environment.GetEnvironmentVariable("CONTINUUM_KEY")) is { Length: > 0 } key)
            {
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            }

            var client = new ContinuumClient(http);
            return new CliServices(client, client, client, client, null, http);
        }

        var provider = BuildInProcess(parse.GetValue(CliOptions.Data));
        await provider.GetRequiredService<IStoreMigrator>().MigrateAsync(cancellationToken).ConfigureAwait(false);
        return new CliServices(
            provider.GetRequiredService<ISessionService>(),
            provider.GetRequiredService<IIdentityService>(),
            provider.GetRequiredService<IStatsService>(),
            provider.GetRequiredService<IContextService>(),
            provider,
            null);
    }

    public static ServiceProvider BuildInProcess(string? dataDirectory)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(dataDirectory is null ? [] : [new("Continuum:DataDirectory", dataDirectory)])
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddContinuum(configuration);
        return services.BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_provider is not null)
        {
            await _provider.DisposeAsync().ConfigureAwait(false);
        }
    }
}
