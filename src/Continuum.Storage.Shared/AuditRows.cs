using System.Data.Common;
using System.Text.Json;
using Continuum.Json;
using Continuum.Storage;

namespace Continuum.Security;

/// <summary>The row reader of audit records, shared by the stores.</summary>
internal static class AuditRows
{
    /// <summary>The columns the reader expects, in order (the counts column read as text).</summary>
    public const string Columns = "id, tenant_id, actor, action, target, counts, at";

    /// <summary>An audit record from <see cref="Columns"/>.</summary>
    public static AuditEntry Read(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var counts = JsonSerializer.Deserialize<Dictionary<string, long>>(r.GetString(5), JsonDefaults.Options) ?? [];
        return new AuditEntry(r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), counts, new DateTimeOffset(r.GetInt64(6), TimeSpan.Zero))
        {
            Id = r.GetString(0),
        };
    }

    /// <summary>The counts as stored: a JSON object of names to numbers.</summary>
    public static string CountsJson(AuditEntry entry) => JsonSerializer.Serialize(entry.Counts, JsonDefaults.Options);

    /// <summary>The entry with an id assigned when it has none.</summary>
    public static AuditEntry WithId(AuditEntry entry) =>
        string.IsNullOrEmpty(entry.Id) ? entry with { Id = Ids.New("aud_", entry.At) } : entry;

    /// <summary>Checks an entry before it is stored: the names the log needs are present.</summary>
    public static void Check(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.TenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Action);
        ArgumentNullException.ThrowIfNull(entry.Counts);
    }
}
