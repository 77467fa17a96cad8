using System.Text.Json;
using System.Text.RegularExpressions;
using Continuum.Errors;
using Continuum.Realtime;
using Continuum.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Agents;

/// <summary>The agent registry, the collaboration hub and shared memory.</summary>
public interface IAgentService
{
    /// <summary>Registers a session as an agent (again: updates it).</summary>
    Task<Agent> RegisterAsync(string sessionId, AgentRegistration registration, CancellationToken cancellationToken = default);

    /// <summary>The agent, or a not-found error.</summary>
    Task<Agent> GetAgentAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Agents by status and capability; active ones (not offline) unless <see cref="AgentQuery.All"/>.</summary>
    Task<IReadOnlyList<Agent>> ListAgentsAsync(AgentQuery query, CancellationToken cancellationToken = default);

    /// <summary>A heartbeat.</summary>
    Task<Agent> PingAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Sets the status and, when given, the current task.</summary>
    Task<Agent> SetStatusAsync(string sessionId, string status, string? currentTask, CancellationToken cancellationToken = default);

    /// <summary>The registry in numbers.</summary>
    Task<AgentStats> GetAgentStatsAsync(string? ns = null, CancellationToken cancellationToken = default);

    /// <summary>Sends a direct message, a reply or (with no recipient) a broadcast. A ping is answered with a pong.</summary>
    Task<HubMessage> SendAsync(SendMessage message, CancellationToken cancellationToken = default);

    /// <summary>A session's inbox, oldest first.</summary>
    Task<IReadOnlyList<HubMessage>> InboxAsync(string sessionId, string? type = null, bool unreadOnly = false, long after = 0, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Acknowledges a message for a recipient (or every recipient); the deliveries acknowledged.</summary>
    Task<int> AcknowledgeAsync(long messageId, string? sessionId = null, CancellationToken cancellationToken = default);

    /// <summary>The whole thread a message belongs to.</summary>
    Task<IReadOnlyList<HubMessage>> ThreadAsync(long messageId, CancellationToken cancellationToken = default);

    /// <summary>Writes a new version of a shared key; a stale <see cref="SharedWrite.ExpectedVersion"/> is a conflict.</summary>
    Task<SharedEntry> SetSharedAsync(string ns, string key, SharedWrite write, CancellationToken cancellationToken = default);

    /// <summary>The latest live version of a key, or a not-found error.</summary>
    Task<SharedEntry> GetSharedAsync(string ns, string key, CancellationToken cancellationToken = default);

    /// <summary>Every kept version of a key, oldest first.</summary>
    Task<IReadOnlyList<SharedEntry>> GetSharedVersionsAsync(string ns, string key, CancellationToken cancellationToken = default);

    /// <summary>The latest live entries of a namespace by glob pattern, all of some tags, and author session.</summary>
    Task<IReadOnlyList<SharedEntry>> SearchSharedAsync(string ns, string? pattern = null, IReadOnlyList<string>? tags = null, string? sessionId = null, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key (a deletion is a version too); false when it had no live value.</summary>
    Task<bool> DeleteSharedAsync(string ns, string key, string? sessionId = null, CancellationToken cancellationToken = default);

    /// <summary>Shared memory in numbers.</summary>
    Task<SharedStats> GetSharedStatsAsync(CancellationToken cancellationToken = default);
}

/// <summary>What the live stream reads besides inboxes and events: shared-memory changes and the stream's ends.</summary>
public interface IAgentStreamSource
{
    /// <summary>A namespace's writes (and deletions) after a stream position, oldest first: what the live stream sends.</summary>
    Task<IReadOnlyList<SharedEntry>> SharedChangesAsync(string ns, long after, int limit, CancellationToken cancellationToken = default);

    /// <summary>The stream's current end for inboxes and shared memory: where a subscription without a cursor starts.</summary>
    Task<(long Inbox, long Shared)> StreamEndAsync(CancellationToken cancellationToken = default);
}

/// <summary>Settings of the agents' registry.</summary>
public sealed class AgentOptions
{
    /// <summary>How long an agent may go without a heartbeat before it is shown offline (default 5 minutes).</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <inheritdoc />
public sealed partial class AgentService(
    IAgentStore store,
    IChangeFeed changes,
    ITenantContext tenant,
    IOptions<ContinuumOptions> options,
    TimeProvider time,
    ILogger<AgentService> logger) : IAgentService, IAgentStreamSource
{
    /// <summary>The namespace when none is given.</summary>
    public const string DefaultNamespace = "default";

    private const int MaxTextLength = 64 * 1024;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
    private static partial Regex NamePattern();

    private TimeSpan Timeout => options.Value.Agents.HeartbeatTimeout;

    /// <inheritdoc />
    public async Task<Agent> RegisterAsync(string sessionId, AgentRegistration registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        InputValidator.Identifier(sessionId, "sessionId");
        var name = InputValidator.Identifier(registration.AgentName, "agentName");
        var type = InputValidator.Identifier(registration.AgentType, "agentType");
        var capabilities = (registration.Capabilities ?? []).Select(c => InputValidator.Identifier(c?.Trim(), "capabilities")).Distinct(StringComparer.Ordinal).ToList();
        var now = time.GetUtcNow();
        var agent = await store.RegisterAsync(tenant.TenantId, new Agent
        {
            SessionId = sessionId,
            Namespace = Namespace(registration.Namespace),
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
        return Effective(agent, now);
    }

    /// <inheritdoc />
    public async Task<Agent> GetAgentAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        InputValidator.Identifier(sessionId, "sessionId");
        return Effective(await store.GetAgentAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("agent", sessionId), time.GetUtcNow());
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Agent>> ListAgentsAsync(AgentQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Status is not null)
        {
            InputValidator.OneOf(query.Status, AgentStatus.All, "status");
        }

        var now = time.GetUtcNow();
        var agents = await store.ListAgentsAsync(tenant.TenantId, query.Namespace is null ? null : Namespace(query.Namespace), cancellationToken).ConfigureAwait(false);
        return [.. agents.Select(a => Effective(a, now))
            .Where(a => query.Status is null ? query.All || a.Status != AgentStatus.Offline : a.Status == query.Status)
            .Where(a => query.Capability is null || a.Capabilities.Contains(query.Capability, StringComparer.OrdinalIgnoreCase))];
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
        var all = await ListAgentsAsync(new AgentQuery(All: true, Namespace: ns), cancellationToken).ConfigureAwait(false);
        return new AgentStats(all.Count, all.Count(a => a.Status != AgentStatus.Offline),
            AgentStatus.All.ToDictionary(s => s, s => all.Count(a => a.Status == s), StringComparer.Ordinal));
    }

    /// <inheritdoc />
    public async Task<HubMessage> SendAsync(SendMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var from = InputValidator.Identifier(message.From, "from");
        var to = InputValidator.OptionalIdentifier(message.To, "to");
        var type = InputValidator.OneOf(message.Type, MessageTypes.All, "type", to is null ? "broadcast" : "request");
        var subject = Text(message.Subject, "subject", required: true);
        var body = Text(message.Body, "body", required: false);
        if (message.Data is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } data)
        {
            InputValidator.JsonValue(data, MaxTextLength, "data");
        }

        HubMessage? original = null;
        if (message.ReplyTo is { } replyTo)
        {
            original = await store.GetMessageAsync(tenant.TenantId, replyTo, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("message", replyTo.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var sender = await store.GetAgentAsync(tenant.TenantId, from, cancellationToken).ConfigureAwait(false);
        var ns = message.Namespace is { } given ? Namespace(given) : sender?.Namespace ?? original?.Namespace ?? DefaultNamespace;
        IReadOnlyList<string> recipients;
        if (to is not null)
        {
            recipients = [to];
        }
        else if (original is not null && message.Type is not "broadcast")
        {
            // A reply with no recipient goes back to the one who wrote the message it answers.
            to = original.From;
            recipients = [to];
        }
        else
        {
            var everyone = await store.ListAgentsAsync(tenant.TenantId, ns, cancellationToken).ConfigureAwait(false);
            recipients = [.. everyone.Select(a => a.SessionId).Where(s => s != from)];
        }

        var now = time.GetUtcNow();
        var sent = await store.SendAsync(tenant.TenantId, new HubMessage
        {
            Id = 0,
            ThreadId = 0,
            Type = type,
            From = from,
            To = to,
            Broadcast = to is null,
            Namespace = ns,
            Subject = subject,
            Body = body,
            Data = message.Data?.Clone(),
            ReplyTo = message.ReplyTo,
            CreatedAt = now,
        }, recipients, cancellationToken).ConfigureAwait(false);
        if (sender is not null)
        {
            await store.TouchAsync(tenant.TenantId, from, now, null, null, false, cancellationToken).ConfigureAwait(false);
        }

        foreach (var recipient in recipients)
        {
            await changes.PublishAsync(new ChangeNotice($"inbox:{recipient}", "message", sent.Id, from), cancellationToken).ConfigureAwait(false);
        }

        if (type == "ping" && to is not null)
        {
            await PongAsync(sent, cancellationToken).ConfigureAwait(false);
        }

        return sent;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<HubMessage>> InboxAsync(string sessionId, string? type = null, bool unreadOnly = false, long after = 0, int? limit = null, CancellationToken cancellationToken = default)
    {
        InputValidator.Identifier(sessionId, "sessionId");
        if (type is not null)
        {
            InputValidator.OneOf(type, MessageTypes.All, "type");
        }

        return await store.InboxAsync(tenant.TenantId, sessionId, type, unreadOnly, Math.Max(0, after), InputValidator.Range(limit ?? 100, 1, 1000, "limit"), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> AcknowledgeAsync(long messageId, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        InputValidator.OptionalIdentifier(sessionId, "sessionId");
        var acknowledged = await store.AcknowledgeAsync(tenant.TenantId, messageId, sessionId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return acknowledged > 0 || await store.GetMessageAsync(tenant.TenantId, messageId, cancellationToken).ConfigureAwait(false) is not null
            ? acknowledged
            : throw new NotFoundException("message", messageId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<HubMessage>> ThreadAsync(long messageId, CancellationToken cancellationToken = default)
    {
        var message = await store.GetMessageAsync(tenant.TenantId, messageId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("message", messageId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await store.ThreadAsync(tenant.TenantId, message.ThreadId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SharedEntry> SetSharedAsync(string ns, string key, SharedWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ns = Namespace(ns);
        Key(key);
        var author = InputValidator.Identifier(write.SessionId, "sessionId");
        if (write.Value is not { } value || value.ValueKind == JsonValueKind.Undefined)
        {
            throw new ValidationException("value", "is required (any JSON value).");
        }

        InputValidator.JsonValue(value, options.Value.Limits.MaxMetadataBytes, "value");

        var type = InputValidator.OneOf(write.Type, SharedTypes.All, "type", "note");
        var tags = (write.Tags ?? []).Select(t => InputValidator.Identifier(t?.Trim(), "tags")).Distinct(StringComparer.Ordinal).ToList();
        if (write.TtlSeconds is { } ttl && ttl <= 0)
        {
            throw new ValidationException("ttlSeconds", "must be positive.");
        }

        if (write.ExpectedVersion is < 0)
        {
            throw new ValidationException("expectedVersion", "must be 0 (create only) or a version.");
        }

        var now = time.GetUtcNow();
        var entry = await store.WriteSharedAsync(tenant.TenantId, ns, key, type, value.Clone(), tags, author, now,
            write.TtlSeconds is { } seconds ? now.AddSeconds(Math.Min(seconds, 10L * 365 * 24 * 3600)) : null, false, write.ExpectedVersion, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            var (current, live) = await store.GetSharedVersionAsync(tenant.TenantId, ns, key, now, cancellationToken).ConfigureAwait(false);
            throw new ConflictException("version-conflict",
                $"'{ns}/{key}' is at version {(live ? current : 0)}, not {write.ExpectedVersion}: read it again and retry with expectedVersion {(live ? current : 0)}.");
        }

        await changes.PublishAsync(new ChangeNotice($"memory:{ns}", "memory_set", entry.Position, author), cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <inheritdoc />
    public async Task<SharedEntry> GetSharedAsync(string ns, string key, CancellationToken cancellationToken = default)
    {
        ns = Namespace(ns);
        Key(key);
        var now = time.GetUtcNow();
        var versions = await store.GetSharedVersionsAsync(tenant.TenantId, ns, key, cancellationToken).ConfigureAwait(false);
        return versions is [.., var latest] && !latest.Deleted && (latest.ExpiresAt is null || latest.ExpiresAt > now)
            ? latest
            : throw new NotFoundException("shared entry", $"{ns}/{key}");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SharedEntry>> GetSharedVersionsAsync(string ns, string key, CancellationToken cancellationToken = default)
    {
        ns = Namespace(ns);
        Key(key);
        var versions = await store.GetSharedVersionsAsync(tenant.TenantId, ns, key, cancellationToken).ConfigureAwait(false);
        return versions.Count > 0 ? versions : throw new NotFoundException("shared entry", $"{ns}/{key}");
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SharedEntry>> SearchSharedAsync(string ns, string? pattern = null, IReadOnlyList<string>? tags = null, string? sessionId = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        ns = Namespace(ns);
        if (pattern is { Length: > 256 })
        {
            throw new ValidationException("pattern", "must be at most 256 characters.");
        }

        InputValidator.OptionalIdentifier(sessionId, "session");
        return store.SearchSharedAsync(tenant.TenantId, ns, string.IsNullOrEmpty(pattern) ? null : pattern, tags ?? [], sessionId, time.GetUtcNow(),
            InputValidator.Range(limit ?? 500, 1, 5000, "limit"), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteSharedAsync(string ns, string key, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        ns = Namespace(ns);
        Key(key);
        var author = InputValidator.OptionalIdentifier(sessionId, "sessionId") ?? "unknown";
        var entry = await store.WriteSharedAsync(tenant.TenantId, ns, key, "note", null, [], author, time.GetUtcNow(), null, true, null, cancellationToken).ConfigureAwait(false);
        if (entry is not null)
        {
            await changes.PublishAsync(new ChangeNotice($"memory:{ns}", "memory_deleted", entry.Position, author), cancellationToken).ConfigureAwait(false);
        }

        return entry is not null;
    }

    /// <inheritdoc />
    public Task<SharedStats> GetSharedStatsAsync(CancellationToken cancellationToken = default) =>
        store.SharedStatsAsync(tenant.TenantId, time.GetUtcNow(), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SharedEntry>> SharedChangesAsync(string ns, long after, int limit, CancellationToken cancellationToken = default) =>
        store.SharedAfterAsync(tenant.TenantId, Namespace(ns), Math.Max(0, after), InputValidator.Range(limit, 1, 1000, "limit"), cancellationToken);

    /// <inheritdoc />
    public async Task<(long Inbox, long Shared)> StreamEndAsync(CancellationToken cancellationToken = default) =>
        (await store.LastInboxPositionAsync(tenant.TenantId, cancellationToken).ConfigureAwait(false),
         await store.LastSharedPositionAsync(tenant.TenantId, cancellationToken).ConfigureAwait(false));

    /// <summary>A namespace: 1 to 128 letters, digits, '.', '_', ':' or '-'.</summary>
    public static string Namespace(string? ns)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return DefaultNamespace;
        }

        return NamePattern().IsMatch(ns)
            ? ns
            : throw new ValidationException("namespace", "must be 1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.");
    }

    private static void Key(string? key)
    {
        InputValidator.Identifier(key, "key");
    }

    private static string Text(string? text, string field, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return required ? throw new ValidationException(field, "is required.") : "";
        }

        return text.Length <= MaxTextLength ? text : throw new PayloadTooLargeException(field, text.Length, MaxTextLength);
    }

    private async Task<Agent> TouchAsync(string sessionId, string? status, string? currentTask, bool setTask, CancellationToken cancellationToken)
    {
        InputValidator.Identifier(sessionId, "sessionId");
        if (currentTask is { Length: > 1000 })
        {
            throw new ValidationException("currentTask", "must be at most 1000 characters.");
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

    private async Task PongAsync(HubMessage ping, CancellationToken cancellationToken)
    {
        // The hub answers for the pinged session when it is registered and not offline: a liveness check that
        // needs no agent code. An agent may also answer itself.
        if (await store.GetAgentAsync(tenant.TenantId, ping.To!, cancellationToken).ConfigureAwait(false) is not { } target
            || Effective(target, time.GetUtcNow()).Status == AgentStatus.Offline)
        {
            logger.LogDebug("Ping {MessageId} to {Session}: not registered or offline, no pong", ping.Id, ping.To);
            return;
        }

        var pong = await store.SendAsync(tenant.TenantId, new HubMessage
        {
            Id = 0,
            ThreadId = 0,
            Type = "response",
            From = ping.To!,
            To = ping.From,
            Namespace = ping.Namespace,
            Subject = "pong",
            Body = $"{target.AgentName} is {Effective(target, time.GetUtcNow()).Status}" + (target.CurrentTask is { } task ? $": {task}" : ""),
            ReplyTo = ping.Id,
            CreatedAt = time.GetUtcNow(),
        }, [ping.From], cancellationToken).ConfigureAwait(false);
        await changes.PublishAsync(new ChangeNotice($"inbox:{ping.From}", "message", pong.Id, ping.To), cancellationToken).ConfigureAwait(false);
    }

    private Agent Effective(Agent agent, DateTimeOffset now) =>
        now - agent.LastSeenAt > Timeout ? agent with { Status = AgentStatus.Offline } : agent with { Status = agent.ReportedStatus };
}
