using System.Net.Http.Headers;
using Continuum.Agents;
using Continuum.Context;
using Continuum.Handoffs;
using Continuum.Memory;
using Continuum.Search;
using Continuum.Sessions;
using Continuum.Stats;
using Continuum.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Continuum.Client;

/// <summary>Registers <see cref="ContinuumClient"/> against a server, with retries of transient errors.</summary>
public static class ContinuumClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ContinuumClient"/> (a typed <see cref="HttpClient"/> on <paramref name="baseAddress"/>, sending
    /// <paramref name="apiKey"/> as a bearer token when given) and registers it as every Continuum service interface it
    /// implements, so code written against Core's interfaces runs against a server unchanged. Transient failures are
    /// retried (3 times, exponential backoff with jitter) only where <see cref="ContinuumRetryPolicy"/> says a request
    /// is safe to send again. Returns the client's builder for further handlers.
    /// </summary>
    public static IHttpClientBuilder AddContinuumClient(this IServiceCollection services, Uri baseAddress, string? apiKey = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(baseAddress);
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        var builder = services.AddHttpClient<ContinuumClient>(http =>
        {
            http.BaseAddress = root;
            if (!string.IsNullOrEmpty(apiKey))
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            }
        });
        builder.AddResilienceHandler("continuum-retry", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            ShouldHandle = args => ValueTask.FromResult(ContinuumRetryPolicy.ShouldRetry(args.Context.GetRequestMessage(), args.Outcome)),
        }));
        services.TryAddTransient<ISessionService>(sp => sp.GetRequiredService<ContinuumClient>());
        services.TryAddTransient<IIdentityService>(sp => sp.GetRequiredService<ContinuumClient>());
        services.TryAddTransient<IContextService>(sp => sp.GetRequiredService<ContinuumClient>());
        services.TryAddTransient<IStatsService>(sp => sp.GetRequiredService<ContinuumClient>());
        services.TryAddTransient<ISearchService>(sp => sp.GetRequiredService<ContinuumClient>());
        services.TryAddTransient<IMemoryService>(sp => sp.GetRequiredService<ContinuumClient>());
        services.TryAddTransient<IHandoffService>(sp => sp.GetRequiredService<ContinuumClient>());
        services.TryAddTransient<IAgentRegistry>(sp => sp.GetRequiredService<ContinuumClient>());
        services.TryAddTransient<IMessageHub>(sp => sp.GetRequiredService<ContinuumClient>());
        services.TryAddTransient<ISharedMemory>(sp => sp.GetRequiredService<ContinuumClient>());
        return builder;
    }
}
