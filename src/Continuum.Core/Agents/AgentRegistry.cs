using Continuum.Errors;
using Continuum.Realtime;
using Continuum.Security;
using Continuum.Storage;
using Continuum.Tenancy;
using Continuum.Validation;
using Microsoft.Extensions.Options;

namespace Continuum.Agents;

/// <inheritdoc />
public sealed class AgentRegistry(
    IAgentStore store,
    IChangeFeed changes,
    ITenantContext tenant,
    IOptions<ContinuumOptions> options,
    TimeProvider time) : IAgentRegistry
{
    private TimeSpan Timeout => options.Value.Agents.HeartbeatTimeout;

    /// <inheritdoc />
    public async Task<Upserted<Agent>> RegisterAsync(string sessionId, AgentRegistration registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        InputValidator.Identifier(sessionId, "sessionId");
        var name = InputValidator.Identifier(registration.AgentName, "agentName");
        var type = InputValidator.Identifier(registration.AgentType, "agentType");
        var capabilities = (registration.Capabilities ?? []).Select(c => InputValidator.Identifier(c?.Trim(), "capabilities")).Distinct(StringComparer.Ordinal).ToList();
        var ns = AgentNamespace.Validate(CallerAccess.DefaultNamespace(registration.Namespace));
        CallerAccess.EnsureNamespace(ns, "agent", sessionId);
        if (CallerAccess.BoundNamespace is not null && await store.GetAgentAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            // A namespace-bound key cannot move another namespace's agent into its own.
            CallerAccess.EnsureNamespace(existing.Namespace, "agent", sessionId);
        }

        var now = time.GetUtcNow();
        var (agent, created) = await store.RegisterAsync(tenant.TenantId, new Agent
        {
            SessionId = sessionId,
            Namespace = ns,
            AgentName = name,
            AgentType = type,
            HumanUser = InputValidator.OptionalIdentifier(registration.HumanUser, "humanUser"),
            Capabilities = capabilities,
            ReportedStatus = AgentStatus.Active,
            Status = AgentStatus.Active,
            RegisteredAt = now,
            LastSeenAt = now,
        }, cancellationToken).ConfigureAwait(false);
        await changes.PublishAsync(new ChangeNotice($"agents:{agent.Namespace}", "agent_registered", Origin: sessionId), cancellationToken).ConfigureAwait(false);
        return new(Effective(agent, now, Timeout), created);
    }

    /// <inheritdoc />
    public async Task<Agent> GetAgentAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        InputValidator.Identifier(sessionId, "sessionId");
        var agent = await store.GetAgentAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("agent", sessionId);
        CallerAccess.EnsureNamespace(agent.Namespace, "agent", sessionId);
        return Effective(agent, time.GetUtcNow(), Timeout);
    }

    /// <inheritdoc />
    public async Task<Page<Agent>> ListAgentsAsync(AgentQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Status is not null)
        {
            InputValidator.OneOf(query.Status, AgentStatus.All, "status");
        }

        var limit = InputValidator.Range(query.Limit ?? 500, 1, 1000, "limit");
        var after = ListCursor.Parse(query.Cursor);
        var now = time.GetUtcNow();

        // The registry is small and the effective status depends on the clock, so it is filtered and cut here,
        // in (registration time, session id) order, which a re-registration does not change.
        var ns = CallerAccess.DefaultNamespace(query.Namespace) is { } given ? AgentNamespace.Validate(given) : null;
        if (ns is not null)
        {
            CallerAccess.EnsureNamespace(ns, "namespace", ns);
        }

        var agents = await store.ListAgentsAsync(tenant.TenantId, ns, cancellationToken).ConfigureAwait(false);
        var rows = agents
            .OrderBy(a => a.RegisteredAt.UtcTicks).ThenBy(a => a.SessionId, StringComparer.Ordinal)
            .Where(a => after is not { } cut || a.RegisteredAt.UtcTicks > cut.Position || (a.RegisteredAt.UtcTicks == cut.Position && string.CompareOrdinal(a.SessionId, cut.Id) > 0))
            .Select(a => Effective(a, now, Timeout))
            .Where(a => query.Status is null ? query.All || a.Status != AgentStatus.Offline : a.Status == query.Status)
            .Where(a => query.Capability is null || a.Capabilities.Contains(query.Capability, StringComparer.OrdinalIgnoreCase))
            .Take(limit + 1)
            .ToList();
        return ListCursor.Page(rows, limit, a => ListCursor.After(a.RegisteredAt, a.SessionId));
    }

    /// <inheritdoc />
    public Task<Agent> PingAsync(string sessionId, CancellationToken cancellationToken = default) =>
        TouchAsync(sessionId, null, null, false, cancellationToken);

    /// <inheritdoc />
    public Task<Agent> SetStatusAsync(string sessionId, string status, string? currentTask, CancellationToken cancellationToken = default) =>
        TouchAsync(sessionId, InputValidator.OneOf(status, AgentStatus.All, "status"), currentTask, currentTask is not null || status is AgentStatus.Idle or AgentStatus.Offline, cancellationToken);

    /// <inheritdoc />
    public async Task<AgentStats> GetAgentStatsAsync(string? ns = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        ns = CallerAccess.DefaultNamespace(ns) is { } given ? AgentNamespace.Validate(given) : null;
        if (ns is not null)
        {
            CallerAccess.EnsureNamespace(ns, "namespace", ns);
        }

        var all = (await store.ListAgentsAsync(tenant.TenantId, ns, cancellationToken).ConfigureAwait(false))
            .Select(a => Effective(a, now, Timeout)).ToList();
        return new AgentStats(all.Count, all.Count(a => a.Status != AgentStatus.Offline),
            AgentStatus.All.ToDictionary(s => s, s => all.Count(a => a.Status == s), StringComparer.Ordinal));
    }

    /// <summary>The agent as every read shows it: offline once its heartbeat is older than <paramref name="timeout"/>, its reported status otherwise.</summary>
    internal static Agent Effective(Agent agent, DateTimeOffset now, TimeSpan timeout) =>
        now - agent.LastSeenAt > timeout ? agent with { Status = AgentStatus.Offline } : agent with { Status = agent.ReportedStatus };

    private async Task<Agent> TouchAsync(string sessionId, string? status, string? currentTask, bool setTask, CancellationToken cancellationToken)
    {
        InputValidator.Identifier(sessionId, "sessionId");
        if (currentTask is { Length: > 1000 })
        {
            throw new ValidationException("currentTask", "must be at most 1000 characters.");
        }

        if (CallerAccess.BoundNamespace is not null)
        {
            await GetAgentAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }

        if (!await store.TouchAsync(tenant.TenantId, sessionId, time.GetUtcNow(), status, currentTask, setTask, cancellationToken).ConfigureAwait(false))
        {
            throw new NotFoundException("agent", sessionId);
        }

        var agent = await GetAgentAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (status is not null)
        {
            await changes.PublishAsync(new ChangeNotice($"agents:{agent.Namespace}", "agent_status", Origin: sessionId), cancellationToken).ConfigureAwait(false);
        }

        return agent;
    }
}
