using Continuum.Context;
using Continuum.Hosting;
using Continuum.ModelProviders;
using Continuum.Sessions;
using Continuum.Stats;
using Continuum.Storage;
using Continuum.Tenancy;
using Continuum.Tokens;
using Continuum.Users;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
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
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ContinuumOptions>, Lifecycle.RetentionOptionsValidator>());
        optionsBuilder.ValidateOnStart();
        // The schema must exist before any background job touches the store: hosted services start in this order.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, StoreMigrationService>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var tokenizer = sp.GetRequiredService<IOptions<ContinuumOptions>>().Value.Tokenizer;
            return BpeTokenCounter.Create(tokenizer, ex => sp.GetRequiredService<ILoggerFactory>().CreateLogger("Continuum.Tokens")
                .LogWarning(ex, "The {Tokenizer} tokenizer could not load; tokens are estimated (4 characters a token)", tokenizer));
        });
        services.TryAddSingleton<ITenantContext, DefaultTenantContext>();
        services.TryAddSingleton<IClusterLease, SingleNodeLease>();
        services.TryAddSingleton<Realtime.IChangeFeed, Realtime.InProcessChangeFeed>();
        services.TryAddSingleton<IIdentityService, IdentityService>();
        services.TryAddSingleton<Security.IApiKeyService, Security.ApiKeyService>();
        services.TryAddSingleton<ISessionService, SessionService>();
        services.TryAddSingleton<IStatsService, StatsService>();
        services.TryAddSingleton<IEntityExtractor, RuleEntityExtractor>();
        services.TryAddSingleton<ExtractiveSummarizer>();
        services.TryAddSingleton(sp => new ChatModel(sp.GetService<IChatClient>()
            ?? OpenAICompatibleModels.CreateChatClient(sp.GetRequiredService<IOptions<ContinuumOptions>>().Value.Models.Chat, sp.GetService<ILoggerFactory>())));
        services.TryAddSingleton(sp =>
        {
            var chat = sp.GetRequiredService<ChatModel>().Client;
            var name = sp.GetRequiredService<IOptions<ContinuumOptions>>().Value.Models.Chat.Model ?? "chat";
            var model = chat is null ? null : new ChatClientSummarizer(chat, sp.GetRequiredService<ITokenCounter>(), name);
            return new SummarizerChain(sp.GetRequiredService<ExtractiveSummarizer>(), sp.GetRequiredService<ILogger<SummarizerChain>>(), model);
        });
        services.TryAddSingleton(sp => new SessionCompressor(
            sp.GetRequiredService<IContextStore>(),
            sp.GetRequiredService<SummarizerChain>(),
            sp.GetRequiredService<ITokenCounter>(),
            sp.GetRequiredService<IOptions<ContinuumOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SessionCompressor>>(),
            sp.GetRequiredService<ChatModel>().Client is { } chat ? new ChatClientEntityExtractor(chat) : null));
        services.TryAddSingleton<CompressionService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, CompressionService>(sp => sp.GetRequiredService<CompressionService>()));
        services.TryAddSingleton<IMemoryProvider, Memory.MemoryContextProvider>();
        services.TryAddSingleton<Memory.IMemoryService, Memory.MemoryService>();
        services.TryAddSingleton<IContextService, ContextService>();
        services.TryAddSingleton<Handoffs.IHandoffService, Handoffs.HandoffService>();
        services.TryAddSingleton<Search.ISearchService, Search.SearchService>();
        services.TryAddSingleton<Chat.IChatTurns, Chat.ChatTurns>();
        services.TryAddSingleton(sp =>
        {
            var embeddings = sp.GetRequiredService<IOptions<ContinuumOptions>>().Value.Models.Embeddings;
            return EmbeddingModel.Resolve(sp, embeddings);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Search.ISecondaryRanker, Search.VectorRanker>());
        services.TryAddSingleton<Search.EmbeddingIndexer>();
        services.TryAddSingleton<Search.SearchIndexStatus>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, Search.EmbeddingIndexer>(sp => sp.GetRequiredService<Search.EmbeddingIndexer>()));
        services.TryAddSingleton<Agents.IAgentRegistry, Agents.AgentRegistry>();
        services.TryAddSingleton<Agents.IMessageHub, Agents.MessageHub>();
        services.TryAddSingleton<Agents.ISharedMemory, Agents.SharedMemory>();
        services.TryAddSingleton<Agents.IAgentStreamSource, Agents.AgentStreamSource>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, Agents.SharedMemoryPurgeService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, SessionExpiryService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, Memory.ConversationMemoryService>());
        services.TryAddSingleton<Lifecycle.IAuditActor, Lifecycle.LocalAuditActor>();
        services.TryAddSingleton<Lifecycle.ILifecycleService, Lifecycle.LifecycleService>();
        services.TryAddSingleton<Lifecycle.RetentionPolicies>();
        services.TryAddSingleton<Lifecycle.RetentionService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, Lifecycle.RetentionService>(sp => sp.GetRequiredService<Lifecycle.RetentionService>()));
        return new ContinuumBuilder(services);
    }
}
