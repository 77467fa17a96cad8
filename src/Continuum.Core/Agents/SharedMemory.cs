using System.Text.Json;
using Continuum.Errors;
using Continuum.Realtime;
using Continuum.Security;
using Continuum.Storage;
using Continuum.Tenancy;
using Continuum.Validation;
using Microsoft.Extensions.Options;

namespace Continuum.Agents;

/// <inheritdoc />
public sealed class SharedMemory(
    IAgentStore store,
    IChangeFeed changes,
    ITenantContext tenant,
    IOptions<ContinuumOptions> options,
    TimeProvider time) : ISharedMemory
{
    /// <inheritdoc />
    public async Task<Upserted<SharedEntry>> SetSharedAsync(string ns, string key, SharedWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ns = AgentNamespace.Validate(ns);
        CallerAccess.EnsureNamespace(ns, "namespace", ns);
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
        var written = await store.WriteSharedAsync(tenant.TenantId, ns, key, type, value.Clone(), tags, author, now,
            write.TtlSeconds is { } seconds ? now.AddSeconds(Math.Min(seconds, 10L * 365 * 24 * 3600)) : null, false, write.ExpectedVersion, cancellationToken).ConfigureAwait(false);
        if (written is not { } result)
        {
            var (current, live) = await store.GetSharedVersionAsync(tenant.TenantId, ns, key, now, cancellationToken).ConfigureAwait(false);
            throw new ConflictException("version-conflict",
                $"'{ns}/{key}' is at version {(live ? current : 0)}, not {write.ExpectedVersion}: read it again and retry with expectedVersion {(live ? current : 0)}.");
        }

        await changes.PublishAsync(new ChangeNotice($"memory:{ns}", "memory_set", result.Entry.Position, author), cancellationToken).ConfigureAwait(false);
        return new(result.Entry, result.Created);
    }

    /// <inheritdoc />
    public async Task<SharedEntry> GetSharedAsync(string ns, string key, CancellationToken cancellationToken = default)
    {
        ns = AgentNamespace.Validate(ns);
        CallerAccess.EnsureNamespace(ns, "namespace", ns);
        Key(key);
        var now = time.GetUtcNow();
        var (current, live) = await store.GetSharedVersionAsync(tenant.TenantId, ns, key, now, cancellationToken).ConfigureAwait(false);
        var latest = live ? await store.GetSharedVersionsAsync(tenant.TenantId, ns, key, current - 1, 1, cancellationToken).ConfigureAwait(false) : [];
        return latest is [var entry] && !entry.Deleted && (entry.ExpiresAt is null || entry.ExpiresAt > now)
            ? entry
            : throw new NotFoundException("shared entry", $"{ns}/{key}");
    }

    /// <inheritdoc />
    public async Task<Page<SharedEntry>> GetSharedVersionsAsync(string ns, string key, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ns = AgentNamespace.Validate(ns);
        CallerAccess.EnsureNamespace(ns, "namespace", ns);
        Key(key);
        var size = InputValidator.Range(limit ?? 500, 1, 5000, "limit");
        var after = ListCursor.NumberOf(cursor);
        var rows = await store.GetSharedVersionsAsync(tenant.TenantId, ns, key, after, size + 1, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0 && (after == 0 || (await store.GetSharedVersionAsync(tenant.TenantId, ns, key, time.GetUtcNow(), cancellationToken).ConfigureAwait(false)).Version == 0))
        {
            throw new NotFoundException("shared entry", $"{ns}/{key}");
        }

        return ListCursor.Page(rows, size, e => ListCursor.AfterNumber(e.Version));
    }

    /// <inheritdoc />
    public async Task<Page<SharedEntry>> SearchSharedAsync(string ns, SharedQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ns = AgentNamespace.Validate(ns);
        CallerAccess.EnsureNamespace(ns, "namespace", ns);
        if (query.Pattern is { Length: > 256 })
        {
            throw new ValidationException("pattern", "must be at most 256 characters.");
        }

        InputValidator.OptionalIdentifier(query.SessionId, "session");
        var limit = InputValidator.Range(query.Limit ?? 500, 1, 5000, "limit");
        var rows = await store.SearchSharedAsync(tenant.TenantId, ns, string.IsNullOrEmpty(query.Pattern) ? null : query.Pattern, query.Tags ?? [], query.SessionId,
            ListCursor.Parse(query.Cursor)?.Id, time.GetUtcNow(), limit + 1, cancellationToken).ConfigureAwait(false);
        return ListCursor.Page(rows, limit, e => ListCursor.AfterName(e.Key));
    }

    /// <inheritdoc />
    public async Task<bool> DeleteSharedAsync(string ns, string key, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        ns = AgentNamespace.Validate(ns);
        CallerAccess.EnsureNamespace(ns, "namespace", ns);
        Key(key);
        var author = InputValidator.OptionalIdentifier(sessionId, "sessionId") ?? "unknown";
        var written = await store.WriteSharedAsync(tenant.TenantId, ns, key, "note", null, [], author, time.GetUtcNow(), null, true, null, cancellationToken).ConfigureAwait(false);
        if (written is { } deletion)
        {
            await changes.PublishAsync(new ChangeNotice($"memory:{ns}", "memory_deleted", deletion.Entry.Position, author), cancellationToken).ConfigureAwait(false);
        }

        return written is not null;
    }

    /// <inheritdoc />
    public Task<SharedStats> GetSharedStatsAsync(CancellationToken cancellationToken = default)
    {
        // The figures cover every namespace of the tenant.
        if (CallerAccess.BoundNamespace is not null)
        {
            throw new Errors.ForbiddenException("A key bound to one agent namespace cannot read the tenant's shared-memory figures.");
        }

        return store.SharedStatsAsync(tenant.TenantId, time.GetUtcNow(), cancellationToken);
    }

    private static void Key(string? key)
    {
        InputValidator.Identifier(key, "key");
    }
}
