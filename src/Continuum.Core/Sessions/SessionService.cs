using System.Globalization;
using System.Text.Json;
using Continuum.Context;
using Continuum.Errors;
using Continuum.Json;
using Continuum.Security;
using Continuum.Storage;
using Continuum.Tenancy;
using Continuum.Tokens;
using Continuum.Users;
using Continuum.Validation;
using Microsoft.Extensions.Options;

namespace Continuum.Sessions;

/// <summary>
/// The in-process <see cref="ISessionService"/>: validates, counts tokens and calls the stores; after an append it
/// tells compression how much of the session is not yet summarized, from what the append returned.
/// </summary>
public sealed class SessionService(
    ISessionStore sessions,
    IEventStore eventStore,
    IIdentityService identities,
    ITokenCounter tokens,
    IEntityExtractor entityExtractor,
    ITenantContext tenant,
    IOptions<ContinuumOptions> options,
    TimeProvider time,
    Realtime.IChangeFeed changes,
    CompressionService compression) : ISessionService
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;
    private const int MaxEventPageSize = 1000;

    private readonly ContinuumOptions _options = options.Value;

    /// <inheritdoc />
    public async Task<OpenSessionResult> OpenAsync(OpenSessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var iface = InputValidator.Interface(request.Interface);
        var interfaceId = InputValidator.OptionalIdentifier(request.InterfaceId, "interfaceId");
        var agentId = InputValidator.OptionalIdentifier(request.AgentId, "agentId");
        var nodeName = InputValidator.OptionalIdentifier(request.NodeName, "nodeName") ?? _options.NodeName;
        var mode = InputValidator.OneOf(request.Mode, ["resume", "new"], "mode", "resume");
        var metadata = InputValidator.JsonObject(request.Metadata, _options.Limits.MaxMetadataBytes, "metadata");
        var title = InputValidator.Title(request.Title);
        var tokenLimit = InputValidator.Range(request.TokenLimit ?? _options.Sessions.TokenLimit, 100, _options.Limits.MaxTokenLimit, "tokenLimit");
        var isAgent = agentId is not null || iface == "agent";
        var expiry = request.ExpiresInSeconds ?? (long)(isAgent ? _options.Sessions.AgentExpiry : _options.Sessions.Expiry).TotalSeconds;
        InputValidator.Range(expiry, 1L, 10L * 365 * 24 * 3600, "expiresInSeconds");

        var userId = await ResolveUserAsync(request, cancellationToken).ConfigureAwait(false);
        if (CallerAccess.BoundUser is { } bound)
        {
            // A user-bound key opens sessions for its user only.
            userId ??= bound;
            CallerAccess.EnsureUser(userId, "User", userId);
        }

        var now = time.GetUtcNow();
        var candidate = new Session
        {
            Id = Ids.NewSessionId(now),
            UserId = userId,
            AgentId = agentId,
            Interface = iface,
            InterfaceId = interfaceId,
            NodeName = nodeName,
            Status = SessionStatus.Active,
            Title = title,
            CreatedAt = now,
            LastActiveAt = now,
            ExpiresAt = now.AddSeconds(expiry),
            ExpiresInSeconds = expiry,
            TokenLimit = tokenLimit,
            Metadata = metadata is null ? JsonDefaults.EmptyObject : JsonDocument.Parse(metadata).RootElement.Clone(),
        };

        // An anonymous caller can only resume by its interface handle; without one there is nothing to match.
        var resume = mode == "resume" && (userId is not null || interfaceId is not null)
            ? new ResumeKey(userId, agentId, iface, interfaceId)
            : null;
        return await sessions.OpenAsync(tenant.TenantId, candidate, resume, now, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> ResolveUserAsync(OpenSessionRequest request, CancellationToken cancellationToken)
    {
        if (request.UserId is not null)
        {
            InputValidator.Identifier(request.UserId, "userId");
            var user = await identities.GetUserAsync(request.UserId, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("User", request.UserId);
            return user.Id;
        }

        if (request.Identity is not null)
        {
            var user = await identities.ResolveAsync(request.Identity, cancellationToken).ConfigureAwait(false);
            return user.Id;
        }

        return null;
    }

    /// <inheritdoc />
    public async Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken = default) =>
        await sessions.GetAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false) is { } session && CallerAccess.SeesUser(session.UserId) ? session : null;

    /// <inheritdoc />
    public Task<Page<Session>> ListAsync(SessionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Interface is not null)
        {
            InputValidator.Interface(query.Interface);
        }

        if (query.Status is not null)
        {
            InputValidator.OneOf(query.Status, SessionStatus.All, "status");
        }

        InputValidator.OptionalIdentifier(query.UserId, "userId");
        InputValidator.OptionalIdentifier(query.AgentId, "agentId");
        InputValidator.OptionalIdentifier(query.Cursor, "cursor");
        var limit = InputValidator.Range(query.Limit ?? DefaultPageSize, 1, MaxPageSize, "limit");
        return ListSessionsAsync(query with { Limit = limit, UserId = CallerAccess.ConfineUser(query.UserId) }, cancellationToken);
    }

    private async Task<Page<Session>> ListSessionsAsync(SessionQuery query, CancellationToken cancellationToken)
    {
        // A merged user's id lists the survivor's sessions, where its sessions now are.
        if (query.UserId is not null && await identities.GetUserAsync(query.UserId, cancellationToken).ConfigureAwait(false) is { } user)
        {
            query = query with { UserId = user.Id };
        }

        return await sessions.ListAsync(tenant.TenantId, query, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Session> UpdateAsync(string sessionId, SessionPatch patch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var limit = _options.Limits.MaxMetadataBytes;
        InputValidator.Title(patch.Title);
        if (patch.Status is not null)
        {
            InputValidator.OneOf(patch.Status, SessionStatus.All, "status");
        }

        InputValidator.JsonObject(patch.State, limit, "state");
        InputValidator.JsonObject(patch.Preferences, limit, "preferences");
        InputValidator.JsonObject(patch.Metadata, limit, "metadata");
        if (patch.ExpiresInSeconds is { } expiry)
        {
            InputValidator.Range(expiry, 1L, 10L * 365 * 24 * 3600, "expiresInSeconds");
        }

        if (patch.TokenLimit is { } tokenLimit)
        {
            InputValidator.Range(tokenLimit, 100, _options.Limits.MaxTokenLimit, "tokenLimit");
        }

        await CallerAccess.EnsureSessionAsync(sessions, tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var updated = await sessions.UpdateAsync(tenant.TenantId, sessionId, s => Apply(s, patch, now, limit), cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Session", sessionId);
        if (patch.Status is SessionStatus.Closed or SessionStatus.Inactive)
        {
            // Closing ends the conversation: its memory is written now rather than at the next idle sweep.
            await changes.PublishAsync(new Realtime.ChangeNotice($"session:{sessionId}", "session_" + patch.Status, Origin: tenant.TenantId), cancellationToken).ConfigureAwait(false);
        }

        return updated;
    }

    private static Session Apply(Session session, SessionPatch patch, DateTimeOffset now, int limit)
    {
        var result = session with
        {
            Title = patch.Title ?? session.Title,
            Status = patch.Status ?? session.Status,
            TokenLimit = patch.TokenLimit ?? session.TokenLimit,
            State = Merge(session.State, patch.State, limit, "state"),
            Preferences = Merge(session.Preferences, patch.Preferences, limit, "preferences"),
            Metadata = Merge(session.Metadata, patch.Metadata, limit, "metadata"),
        };
        if (patch.ExpiresInSeconds is { } expiry)
        {
            result = result with { ExpiresInSeconds = expiry, ExpiresAt = now.AddSeconds(expiry) };
        }

        // Re-opening a session that had expired gives it a fresh expiry window.
        if (patch.Status == SessionStatus.Active && session.Status != SessionStatus.Active)
        {
            result = result with { LastActiveAt = now, ExpiresAt = now.AddSeconds(result.ExpiresInSeconds) };
        }

        return result;
    }

    private static JsonElement Merge(JsonElement current, JsonElement? patch, int limit, string field)
    {
        if (patch is not { ValueKind: JsonValueKind.Object } p)
        {
            return current;
        }

        var merged = JsonMerge.Apply(current, p);
        InputValidator.JsonObject(merged, limit, field);
        return merged;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        await CallerAccess.EnsureSessionAsync(sessions, tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
        return await sessions.DeleteAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Session> ContinueAsync(string sessionId, ContinueRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CallerAccess.EnsureSessionAsync(sessions, tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
        var iface = InputValidator.Interface(request.Interface);
        var interfaceId = InputValidator.OptionalIdentifier(request.InterfaceId, "interfaceId");
        var nodeName = InputValidator.OptionalIdentifier(request.NodeName, "nodeName") ?? _options.NodeName;
        var now = time.GetUtcNow();
        return await sessions.DeriveAsync(tenant.TenantId, sessionId, SessionLinkType.Continuation, null, _options.Sessions.CarryOverMessages, (parent, last) => NewChild(parent, now) with
        {
            Interface = iface,
            InterfaceId = interfaceId,
            NodeName = nodeName,
            Title = parent.Title,
            Summary = parent.Summary,
            Entities = parent.Entities,
            Topics = parent.Topics,
            CarriedOver = new CarriedOver
            {
                FromSessionId = parent.Id,
                FromInterface = parent.Interface,
                Title = parent.Title,
                Summary = parent.Summary,
                Entities = parent.Entities,
                Topics = parent.Topics,
                LastMessages = [.. last.Where(e => e.Type == EventType.Message).Select(e => new CarriedMessage(e.Role, e.Content, e.Interface))],
                Earlier = parent.CarriedOver?.Truncated(CarriedOver.MaxDepth - 1),
            },
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Session> ForkAsync(string sessionId, ForkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CallerAccess.EnsureSessionAsync(sessions, tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
        if (request.AtSeq is < 0)
        {
            throw new ValidationException("atSeq", "must be 0 or more.");
        }

        var title = InputValidator.Title(request.Title);
        var now = time.GetUtcNow();
        return await sessions.DeriveAsync(tenant.TenantId, sessionId, SessionLinkType.Fork, request.AtSeq, 0, (parent, _) => NewChild(parent, now) with
        {
            Interface = parent.Interface,
            InterfaceId = parent.InterfaceId,
            NodeName = parent.NodeName,
            Title = title ?? (parent.Title is null ? null : string.Create(CultureInfo.InvariantCulture, $"{parent.Title} (fork)")),
            State = parent.State,
            Preferences = parent.Preferences,
            Summary = parent.Summary,
            Entities = parent.Entities,
            Topics = parent.Topics,
        }, cancellationToken).ConfigureAwait(false);
    }

    private static Session NewChild(Session parent, DateTimeOffset now) => new()
    {
        Id = Ids.NewSessionId(now),
        UserId = parent.UserId,
        AgentId = parent.AgentId,
        Interface = parent.Interface,
        Status = SessionStatus.Active,
        ParentId = parent.Id,
        CreatedAt = now,
        LastActiveAt = now,
        ExpiresAt = now.AddSeconds(parent.ExpiresInSeconds),
        ExpiresInSeconds = parent.ExpiresInSeconds,
        TokenLimit = parent.TokenLimit,
        Metadata = parent.Metadata,
    };

    /// <inheritdoc />
    public async Task<Page<SessionLink>> GetLinksAsync(string sessionId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var max = InputValidator.Range(limit ?? 100, 1, 1000, "limit");
        await CallerAccess.EnsureSessionAsync(sessions, tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
        var fetched = await sessions.GetLinksAsync(tenant.TenantId, sessionId, max + 1, ListCursor.Parse(cursor), cancellationToken).ConfigureAwait(false);
        return ListCursor.Page(fetched, max, SessionLink.CursorAfter);
    }

    /// <inheritdoc />
    public async Task<AppendResult> AppendAsync(string sessionId, NewEvent newEvent, CancellationToken cancellationToken = default)
    {
        await CallerAccess.EnsureSessionAsync(sessions, tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var record = ToRecord(newEvent, now, "");
        var outcome = await eventStore.AppendAsync(tenant.TenantId, sessionId, [record], now, cancellationToken).ConfigureAwait(false);
        await AppendedAsync(sessionId, outcome, cancellationToken).ConfigureAwait(false);
        return outcome.Results[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AppendResult>> AppendBatchAsync(string sessionId, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ValidationException("events", "must hold at least one event.");
        }

        if (events.Count > _options.Limits.MaxBatchEvents)
        {
            throw new ValidationException("events", $"must hold at most {_options.Limits.MaxBatchEvents} events.");
        }

        await CallerAccess.EnsureSessionAsync(sessions, tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var records = new EventRecord[events.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = ToRecord(events[i], now, string.Create(CultureInfo.InvariantCulture, $"events[{i}]."));
        }

        var outcome = await eventStore.AppendAsync(tenant.TenantId, sessionId, records, now, cancellationToken).ConfigureAwait(false);
        await AppendedAsync(sessionId, outcome, cancellationToken).ConfigureAwait(false);
        return outcome.Results;
    }

    // Compression hears how far the session is from its limit; stream subscribers of the session hear of new
    // events once they are durable. Replays do neither.
    private ValueTask AppendedAsync(string sessionId, AppendOutcome outcome, CancellationToken cancellationToken)
    {
        compression.SessionGrew(tenant.TenantId, sessionId, outcome.UnsummarizedTokens, outcome.TokenLimit);
        var results = outcome.Results;
        return results.Any(r => !r.Existing)
            ? changes.PublishAsync(new Realtime.ChangeNotice($"session:{sessionId}", "event", results[^1].Event.Seq), cancellationToken)
            : ValueTask.CompletedTask;
    }

    private EventRecord ToRecord(NewEvent e, DateTimeOffset now, string prefix)
    {
        if (e is null)
        {
            throw new ValidationException(prefix.TrimEnd('.'), "must be an event object.");
        }

        var type = InputValidator.OneOf(e.Type, EventType.All, prefix + "type", EventType.Message);
        var defaultRole = type switch
        {
            EventType.ToolCall => EventRole.Assistant,
            EventType.ToolResult => EventRole.Tool,
            EventType.Error or EventType.State => EventRole.System,
            _ => EventRole.User,
        };
        var role = InputValidator.OneOf(e.Role, EventRole.All, prefix + "role", defaultRole);
        var content = InputValidator.Content(e.Content, _options.Limits.MaxContentBytes, prefix + "content");
        var metadata = InputValidator.JsonObject(e.Metadata, _options.Limits.MaxMetadataBytes, prefix + "metadata");
        var createdAt = e.CreatedAt ?? now;
        if (createdAt > now.AddMinutes(5))
        {
            throw new ValidationException(prefix + "createdAt", "must not be in the future.");
        }

        // The service's own memory_loaded record is bookkeeping: its words are not things the user talked about.
        var bookkeeping = type == EventType.State && role == EventRole.System && e.Name == Memory.MemoryContextProvider.LoadedEventName;
        var mentions = bookkeeping ? [] : entityExtractor.Extract(content);
        return new EventRecord
        {
            Id = Ids.NewEventId(now),
            Entities = [.. mentions.Select(m => m.Name)],
            Mentions = mentions,
            Type = type,
            Role = role,
            Name = InputValidator.OptionalIdentifier(e.Name, prefix + "name"),
            Content = content,
            Tokens = tokens.Count(content),
            CreatedAt = createdAt.ToUniversalTime(),
            MetadataJson = metadata,
            IdempotencyKey = InputValidator.OptionalIdentifier(e.IdempotencyKey, prefix + "idempotencyKey"),
        };
    }

    /// <inheritdoc />
    public async Task<Page<SessionEvent>> ListEventsAsync(string sessionId, long? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var take = InputValidator.Range(limit ?? 100, 1, MaxEventPageSize, "limit");
        var afterSeq = InputValidator.Range(after ?? 0, 0L, long.MaxValue, "after");
        if (await sessions.GetAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false) is not { } session || !CallerAccess.SeesUser(session.UserId))
        {
            throw new NotFoundException("Session", sessionId);
        }

        // One more than asked tells whether there is a next page without a count.
        var items = await eventStore.ListAsync(tenant.TenantId, sessionId, afterSeq, take + 1, cancellationToken).ConfigureAwait(false);
        if (items.Count <= take)
        {
            return new Page<SessionEvent>(items, null);
        }

        var page = items.Take(take).ToList();
        return new Page<SessionEvent>(page, page[^1].Seq.ToString(CultureInfo.InvariantCulture));
    }
}
