using Continuum.Security;

namespace Continuum.Storage.Sqlite;

/// <summary>The audit log in SQLite: one row a record, written through the one writer (durable on completion).</summary>
public sealed class SqliteAuditLog(SqliteDatabase database) : IAuditLog
{
    /// <inheritdoc />
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        AuditRows.Check(entry);
        var stored = AuditRows.WithId(entry);
        return database.WriteAsync(w => Insert(w, stored), cancellationToken);
    }

    /// <summary>Writes <paramref name="entry"/> inside a unit of work already running on the writer.</summary>
    internal static int Insert(SqliteWriteContext w, AuditEntry entry)
    {
        var stored = AuditRows.WithId(entry);
        return w.Command("INSERT INTO audit_log (tenant_id, id, actor, action, target, counts, at) VALUES ($tenant, $id, $actor, $action, $target, $counts, $at)")
            .Bind("$tenant", stored.TenantId).Bind("$id", stored.Id).Bind("$actor", stored.Actor).Bind("$action", stored.Action)
            .Bind("$target", stored.Target).Bind("$counts", AuditRows.CountsJson(stored)).Bind("$at", stored.At)
            .ExecuteNonQuery();
    }

    /// <inheritdoc />
    public async Task<Page<AuditEntry>> ListAsync(string tenantId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var after = ListCursor.Parse(cursor);
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT {AuditRows.Columns} FROM audit_log
                WHERE tenant_id = $tenant AND ($c_id IS NULL OR at < $c_pos OR (at = $c_pos AND id < $c_id))
                ORDER BY at DESC, id DESC LIMIT $limit
                """;
            command.Bind("$tenant", tenantId).Bind("$limit", limit + 1).Bind("$c_pos", after?.Position ?? 0).Bind("$c_id", after?.Id);
            var items = new List<AuditEntry>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(AuditRows.Read(reader));
            }

            return ListCursor.Page(items, limit, e => ListCursor.After(e.At, e.Id));
        }
    }
}
