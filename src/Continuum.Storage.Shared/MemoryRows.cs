using System.Data.Common;
using System.Text.Json;
using Continuum.Storage;

namespace Continuum.Memory;

/// <summary>The row reader of memories, shared by the stores.</summary>
internal static class MemoryRows
{
    /// <summary>The columns the reader expects, in order.</summary>
    public const string Columns = "id, user_id, agent_id, session_id, kind, content, subject, sources, valid_from, valid_to, superseded_by, mentions, created_at, updated_at";

    /// <summary>A memory from <see cref="Columns"/>.</summary>
    public static MemoryItem Read(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new MemoryItem
        {
            Id = r.GetString(0),
            UserId = r.GetString(1),
            AgentId = r.ReadNullableString(2),
            SessionId = r.ReadNullableString(3),
            Kind = r.GetString(4),
            Content = r.GetString(5),
            Subject = r.ReadNullableString(6),
            Sources = ReadSources(r.GetString(7)),
            ValidFrom = r.ReadTime(8),
            ValidTo = r.IsDBNull(9) ? null : r.ReadTime(9),
            SupersededBy = r.ReadNullableString(10),
            Mentions = r.GetInt32(11),
            CreatedAt = r.ReadTime(12),
            UpdatedAt = r.ReadTime(13),
        };
    }

    /// <summary>The stored text of <paramref name="sources"/>; most memories have none, and those skip the serializer.</summary>
    public static string SourcesJson(IReadOnlyList<MemorySource> sources) =>
        sources.Count == 0 ? "[]" : JsonSerializer.Serialize(sources, Json.JsonDefaults.Options);

    // A duplicate search reads up to 20 candidates on the writer: the common empty list is not parsed.
    private static List<MemorySource> ReadSources(string json) =>
        json == "[]" ? [] : JsonSerializer.Deserialize<List<MemorySource>>(json, Json.JsonDefaults.Options) ?? [];
}
