using Continuum.Security;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>The audit log in PostgreSQL: one row a record, committed before the call completes.</summary>
public sealed class PostgresAuditLog(PostgresDatabase database) : IAuditLog
{
    /// <inheritdoc />
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        AuditRows.Check(entry);
        var stored = AuditRows.WithId(entry);
        return database.WriteAsync((c, t) => InsertAsync(c, t, stored, cancellationToken), cancellationToken);
    }

    /// <summary>Writes <paramref name="entry"/> inside a transaction already open.</summary>
    internal static async Task<int> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AuditEntry entry, CancellationToken cancellationToken)
    {
        var stored = AuditRows.WithId(entry);
        using var command = connection.Command("INSERT INTO audit_log (tenant_id, id, actor, action, target, counts, at) VALUES (@tenant, @id, @actor, @action, @target, @counts, @at)", transaction)
            .Bind("tenant", stored.TenantId).Bind("id", stored.Id).Bind("actor", stored.Actor).Bind("action", stored.Action)
            .Bind("target", stored.Target).BindJson("counts", AuditRows.CountsJson(stored)).Bind("at", stored.At);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<Page<AuditEntry>> ListAsync(string tenantId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var after = ListCursor.Parse(cursor);
        return database.ReadAsync(async c =>
        {
            using var command = c.Command("""
                SELECT id, tenant_id, actor, action, target, counts::text, at FROM audit_log
                WHERE tenant_id = @tenant AND (@c_id::text IS NULL OR at < @c_pos OR (at = @c_pos AND id < @c_id))
                ORDER BY at DESC, id DESC LIMIT @limit
                """).Bind("tenant", tenantId).Bind("limit", limit + 1).Bind("c_pos", after?.Position ?? 0L).Bind("c_id", after?.Id);
            var items = await command.ReadAllAsync(AuditRows.Read, cancellationToken).ConfigureAwait(false);
            return ListCursor.Page(items, limit, e => ListCursor.After(e.At, e.Id));
        }, cancellationToken);
    }
}
