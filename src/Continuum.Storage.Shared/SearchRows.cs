using System.Data.Common;
using Continuum.Storage;

namespace Continuum.Search;

/// <summary>The row reader of search candidates, shared by the stores.</summary>
internal static class SearchRows
{
    /// <summary>
    /// A candidate from <c>row, id, session_id, seq, to_seq, name, role, content, created_at, metadata, score</c>,
    /// then <c>user_id, agent_id</c> when the query selects them.
    /// </summary>
    public static SearchCandidate ReadCandidate(DbDataReader reader, string kind)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new SearchCandidate
        {
            Kind = kind,
            Row = reader.GetInt64(0),
            Id = reader.GetString(1),
            SessionId = reader.ReadNullableString(2),
            Seq = reader.IsDBNull(3) ? null : reader.GetInt64(3),
            ToSeq = reader.IsDBNull(4) ? null : reader.GetInt64(4),
            Name = reader.ReadNullableString(5),
            Role = reader.ReadNullableString(6),
            Content = reader.GetString(7),
            CreatedAt = reader.ReadTime(8),
            Metadata = reader.IsDBNull(9) ? null : StoreRows.ParseElement(reader.GetString(9)),
            Score = reader.GetDouble(10),
            UserId = reader.FieldCount > 11 ? reader.ReadNullableString(11) : null,
            AgentId = reader.FieldCount > 12 ? reader.ReadNullableString(12) : null,
        };
    }
}
