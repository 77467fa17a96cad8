using Continuum.Context;
using Continuum.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Client;

/// <summary>Adds Continuum's sessions and memory to a Microsoft.Extensions.AI chat pipeline.</summary>
public static class ContinuumChatClientBuilderExtensions
{
    /// <summary>
    /// <c>new ChatClientBuilder(inner).UseContinuumMemory(options).Build()</c>: every call gets the session's
    /// context in front (summaries, the user's relevant memories, what was said on other interfaces), and the
    /// messages new since the last call are recorded with the answer (model, usage, latency), each once.
    /// </summary>
    public static ChatClientBuilder UseContinuumMemory(this ChatClientBuilder builder, ContinuumMemoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.SessionId is null && options.UserId is null && options.Identity is null)
        {
            throw new ArgumentException("Give a SessionId, a UserId or an Identity: the memory belongs to someone.", nameof(options));
        }

        return builder.Use((inner, services) => new ContinuumMemoryChatClient(
            inner,
            options.Sessions ?? services.GetRequiredService<ISessionService>(),
            options.Context ?? services.GetRequiredService<IContextService>(),
            options,
            services.GetService<TimeProvider>() ?? TimeProvider.System));
    }

    /// <summary>The same, with the options set by <paramref name="configure"/>.</summary>
    public static ChatClientBuilder UseContinuumMemory(this ChatClientBuilder builder, Action<ContinuumMemoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new ContinuumMemoryOptions();
        configure(options);
        return builder.UseContinuumMemory(options);
    }
}
