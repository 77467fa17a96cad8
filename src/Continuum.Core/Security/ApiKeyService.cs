using System.Collections.Concurrent;
using Continuum.Agents;
using Continuum.Errors;
using Continuum.Realtime;
using Continuum.Storage;
using Continuum.Tenancy;
using Continuum.Users;
using Continuum.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Security;

/// <summary>
/// The in-process <see cref="IApiKeyService"/>. Key checks are served from a per-node cache keyed by the secret's
/// hash: a key is read from the store at most once per <see cref="SecurityOptions.KeyCacheDuration"/> per node, and a
/// revocation drops it from every node's cache at once through the change feed (the cache duration bounds it when a
/// notice is lost). The last-used time is written at most once per <see cref="SecurityOptions.LastUsedResolution"/>.
/// </summary>
public sealed partial class ApiKeyService : IApiKeyService, IDisposable
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;
    private const int MaxNameLength = 200;

    // Unknown secrets are cached too, so a flood of bad keys does not reach the store; the cache is emptied when full.
    private const int MaxCachedKeys = 10_000;
    private const string TopicPrefix = "cache:key:";

    private readonly IApiKeyStore _store;
    private readonly IUserStore _users;
    private readonly ITenantContext _tenant;
    private readonly TimeProvider _time;
    private readonly IChangeFeed _changes;
    private readonly IAuditLog? _audit;
    private readonly ILogger<ApiKeyService> _logger;
    private readonly SecurityOptions _options;
    private readonly ConcurrentDictionary<string, Cached> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _lastUsedWritten = new(StringComparer.Ordinal);
    private readonly IDisposable _subscription;

    /// <summary>Creates the service; <paramref name="audit"/> records key actions when an audit log is registered.</summary>
    public ApiKeyService(
        IApiKeyStore store,
        IUserStore users,
        ITenantContext tenant,
        TimeProvider time,
        IChangeFeed changes,
        IOptions<ContinuumOptions> options,
        ILogger<ApiKeyService> logger,
        IAuditLog? audit = null)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _users = users;
        _tenant = tenant;
        _time = time;
        _changes = changes;
        _audit = audit;
        _logger = logger;
        _options = options.Value.Security;
        _subscription = changes.Subscribe(OnChange);
    }

    /// <inheritdoc />
    public async Task<CreatedApiKey> CreateAsync(NewApiKey request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = RequireAdmin();
        var scopes = ApiScopes.Parse(request.Scopes);
        var name = request.Name is null ? null : InputValidator.Content(request.Name, MaxNameLength * 4, "name");
        if (name is { Length: > MaxNameLength })
        {
            throw new ValidationException("name", $"must be at most {MaxNameLength} characters.");
        }

        var userId = InputValidator.OptionalIdentifier(request.UserId, "userId");
        var ns = request.AgentNamespace is null ? null : AgentNamespace.Validate(request.AgentNamespace);
        if (userId is not null && ns is not null)
        {
            throw new ValidationException("agentNamespace", "a key is bound to one user or to one agent namespace, not both.");
        }

        var now = _time.GetUtcNow();
        if (request.ExpiresAt is { } expires && expires <= now)
        {
            throw new ValidationException("expiresAt", "must be in the future.");
        }

        var tenantId = _tenant.TenantId;
        if (userId is not null)
        {
            var user = await _users.GetAsync(tenantId, userId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", userId);
            userId = user.Id;
        }

        var (secret, prefix) = ApiKeySecret.New();
        var key = new ApiKey
        {
            Id = Ids.New("key_", now),
            TenantId = tenantId,
            Prefix = prefix,
            Name = name,
            Scopes = scopes,
            UserId = userId,
            AgentNamespace = ns,
            CreatedAt = now,
            CreatedBy = caller.Actor,
            ExpiresAt = request.ExpiresAt,
        };
        await _store.AddAsync(key, ApiKeySecret.Hash(secret), cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, "key.created", key.Id, now, cancellationToken).ConfigureAwait(false);
        LogCreated(_logger, key.Id, tenantId, string.Join(',', scopes));
        return new CreatedApiKey(key, secret);
    }

    /// <inheritdoc />
    public async Task<Page<ApiKey>> ListAsync(int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        RequireAdmin();
        var max = InputValidator.Range(limit ?? DefaultPageSize, 1, MaxPageSize, "limit");
        var after = ListCursor.Parse(cursor)?.Id;
        var fetched = await _store.ListAsync(_tenant.TenantId, max + 1, after, cancellationToken).ConfigureAwait(false);
        return ListCursor.Page(fetched, max, k => ListCursor.AfterName(k.Id));
    }

    /// <inheritdoc />
    public async Task<ApiKey> GetAsync(string keyId, CancellationToken cancellationToken = default)
    {
        RequireAdmin();
        var id = InputValidator.Identifier(keyId, "keyId");
        return await _store.GetAsync(_tenant.TenantId, id, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Key", id);
    }

    /// <inheritdoc />
    public async Task<ApiKey> RevokeAsync(string keyId, CancellationToken cancellationToken = default)
    {
        var caller = RequireAdmin();
        var id = InputValidator.Identifier(keyId, "keyId");
        var now = _time.GetUtcNow();
        var revoked = await _store.RevokeAsync(_tenant.TenantId, id, now, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Key", id);
        Forget(id);
        await _changes.PublishAsync(new ChangeNotice(TopicPrefix + id, "revoked"), cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, "key.revoked", id, now, cancellationToken).ConfigureAwait(false);
        LogRevoked(_logger, id, revoked.TenantId);
        return revoked;
    }

    /// <inheritdoc />
    public async ValueTask<Caller> AuthenticateAsync(string? secret, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(secret))
        {
            throw new UnauthenticatedException("This needs an API key: send Authorization: Bearer ck_live_….");
        }

        if (!ApiKeySecret.IsWellFormed(secret))
        {
            throw new UnauthenticatedException("The API key is malformed.");
        }

        var hash = ApiKeySecret.Hash(secret);
        var slot = Convert.ToBase64String(hash);
        var now = _time.GetUtcNow();
        if (!_cache.TryGetValue(slot, out var cached) || cached.Until < now.UtcTicks)
        {
            var key = await _store.FindByHashAsync(hash, cancellationToken).ConfigureAwait(false);
            if (_cache.Count >= MaxCachedKeys)
            {
                _cache.Clear();
            }

            cached = new Cached(key, now.UtcTicks + _options.KeyCacheDuration.Ticks);
            _cache[slot] = cached;
        }

        var found = cached.Key ?? throw new UnauthenticatedException("The API key is not known.");
        if (found.RevokedAt is not null)
        {
            throw new UnauthenticatedException("The API key was revoked.");
        }

        if (found.ExpiresAt is { } expires && expires <= now)
        {
            throw new UnauthenticatedException("The API key has expired.");
        }

        await NoteUseAsync(found, now, cancellationToken).ConfigureAwait(false);
        return new Caller(found.TenantId, found.Id, found.Scopes, found.UserId, found.AgentNamespace);
    }

    /// <inheritdoc />
    public Task<long> CountActiveAdminKeysAsync(CancellationToken cancellationToken = default) =>
        _store.CountActiveAdminKeysAsync(_time.GetUtcNow(), cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _subscription.Dispose();

    private Caller RequireAdmin()
    {
        var caller = CallerContext.Current;
        if (caller is null)
        {
            return Caller.Local(_tenant.TenantId);
        }

        if (!caller.Has(ApiScopes.Admin))
        {
            throw new ForbiddenException("Managing keys needs a key with the 'admin' scope.");
        }

        return caller.IsBound ? throw new ForbiddenException("A key bound to one user or agent namespace cannot manage keys.") : caller;
    }

    private async Task NoteUseAsync(ApiKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = _lastUsedWritten.GetOrAdd(key.Id, key.LastUsedAt?.UtcTicks ?? 0);
        if (now.UtcTicks - last < _options.LastUsedResolution.Ticks || !_lastUsedWritten.TryUpdate(key.Id, now.UtcTicks, last))
        {
            return;
        }

        try
        {
            await _store.TouchAsync(key.Id, now, cancellationToken).ConfigureAwait(false);
        }
        catch (ContinuumException e) when (e.IsTransient)
        {
            // The last-used time is a hint: a busy store must not refuse a valid key; the next use writes it.
            _lastUsedWritten.TryUpdate(key.Id, last, now.UtcTicks);
            LogTouchFailed(_logger, key.Id, e);
        }
    }

    private async Task AuditAsync(Caller caller, string action, string target, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_audit is not null)
        {
            await _audit.RecordAsync(new AuditEntry(_tenant.TenantId, caller.Actor, action, target, new Dictionary<string, long>(), at), cancellationToken).ConfigureAwait(false);
        }
    }

    private void OnChange(ChangeNotice notice)
    {
        if (notice.Topic.StartsWith(TopicPrefix, StringComparison.Ordinal))
        {
            Forget(notice.Topic[TopicPrefix.Length..]);
        }
    }

    private void Forget(string keyId)
    {
        foreach (var (slot, entry) in _cache)
        {
            if (entry.Key?.Id == keyId)
            {
                _cache.TryRemove(slot, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API key {KeyId} created in tenant {TenantId} with scopes {Scopes}")]
    private static partial void LogCreated(ILogger logger, string keyId, string tenantId, string scopes);

    [LoggerMessage(Level = LogLevel.Information, Message = "API key {KeyId} of tenant {TenantId} revoked")]
    private static partial void LogRevoked(ILogger logger, string keyId, string tenantId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The last-used time of API key {KeyId} was not written")]
    private static partial void LogTouchFailed(ILogger logger, string keyId, Exception exception);

    private sealed record Cached(ApiKey? Key, long Until);
}
