using Continuum.Context;
using Continuum.Hosting;
using Continuum.ModelProviders;
using Continuum.Storage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Continuum.Services;
using Continuum.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Continuum;

/// <summary>Registers Continuum's services.</summary>
public static class ContinuumServiceCollectionExtensions
{
    /// <summary>
    /// Adds Continuum's services (sessions, identities, stats, background jobs). Pick a store on the returned
    /// builder. Calling it twice is harmless.
    /// </summary>
    public static ContinuumBuilder AddContinuum(this IServiceCollection services, Action<ContinuumOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<ContinuumOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ContinuumOptions>, ContinuumOptionsValidator>());
        optionsBuilder.ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITokenCounter, EstimatingTokenCounter>();
        services.TryAddSingleton<ITenantContext, DefaultTenantContext>();
        services.TryAddSingleton<IIdentityService, IdentityService>();
        services.TryAddSingleton<ISessionService, SessionService>();
        services.TryAddSingleton<IStatsService, StatsService>();
        services.TryAddSingleton<IEntityExtractor, RuleEntityExtractor>();
        services.TryAddSingleton<ExtractiveSummarizer>();
        services.TryAddSingleton(sp =>
        {
            var chatOptions = sp.GetRequiredService<IOptions<ContinuumOptions>>().Value.Models.Chat;
            var chat = sp.GetService<IChatClient>() ?? (chatOptions.IsConfigured ? new OpenAICompatibleChatClient(chatOptions) : null);
            var model = chat is null ? null : new ChatClientSummarizer(chat, sp.GetRequiredService<ITokenCounter>(), chatOptions.Model ?? "chat");
            return new SummarizerChain(sp.GetRequiredService<ExtractiveSummarizer>(), sp.GetRequiredService<ILogger<SummarizerChain>>(), model);
        });
        services.TryAddSingleton<SessionCompressor>();
        services.TryAddSingleton<CompressionService>();
        services.TryAddSingleton<ICompressionSignal>(sp => sp.GetRequiredService<CompressionService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, CompressionService>(sp => sp.GetRequiredService<CompressionService>()));
        services.TryAddSingleton<IMemoryProvider, NoMemoryProvider>();
        services.TryAddSingleton<IContextService, ContextService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, StoreMigrationService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, SessionExpiryService>());
        return new ContinuumBuilder(services);
    }
}
