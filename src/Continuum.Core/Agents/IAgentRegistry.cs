using Continuum.Storage;

namespace Continuum.Agents;

/// <summary>The agent registry: who is there, what they can do, what they are doing, and whether they are alive.</summary>
public interface IAgentRegistry
{
    /// <summary>Registers a session as an agent, or updates its registration; says which of the two it did.</summary>
    Task<Upserted<Agent>> RegisterAsync(string sessionId, AgentRegistration registration, CancellationToken cancellationToken = default);

    /// <summary>The agent, or a not-found error.</summary>
    Task<Agent> GetAgentAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of agents by status and capability, in registration order; active ones (not offline) unless
    /// <see cref="AgentQuery.All"/>. <see cref="Page{T}.Next"/> is null on the last page.
    /// </summary>
    Task<Page<Agent>> ListAgentsAsync(AgentQuery query, CancellationToken cancellationToken = default);

    /// <summary>A heartbeat; a not-found error when the session is not registered.</summary>
    Task<Agent> PingAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Sets the status and, when given, the current task (idle and offline clear it).</summary>
    Task<Agent> SetStatusAsync(string sessionId, string status, string? currentTask, CancellationToken cancellationToken = default);

    /// <summary>The registry in numbers.</summary>
    Task<AgentStats> GetAgentStatsAsync(string? ns = null, CancellationToken cancellationToken = default);
}
