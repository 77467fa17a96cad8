using System.Data.Common;
using Continuum.Storage;

namespace Continuum.Agents;

/// <summary>Row readers for agents, hub messages and shared entries, shared by the stores (same columns, times as ticks, JSON as text).</summary>
internal static class AgentRows
{
    /// <summary>An agent from <c>session_id, namespace, agent_name, agent_type, human_user, capabilities, status, current_task, registered_at, last_seen_at</c>.</summary>
    public static Agent ReadAgent(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new Agent
        {
            SessionId = r.GetString(0),
            Namespace = r.GetString(1),
            AgentName = r.GetString(2),
            AgentType = r.GetString(3),
            HumanUser = r.ReadNullableString(4),
            Capabilities = StoreRows.ParseList(r.GetString(5)),
            ReportedStatus = r.GetString(6),
            Status = r.GetString(6),
            CurrentTask = r.ReadNullableString(7),
            RegisteredAt = r.ReadTime(8),
            LastSeenAt = r.ReadTime(9),
        };
    }

    /// <summary>A message from <c>id, type, from_session, to_session, namespace, subject, body, data, reply_to, thread_id, created_at, recipients</c>.</summary>
    public static HubMessage ReadMessage(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new HubMessage
        {
            Id = r.GetInt64(0),
            Type = r.GetString(1),
            From = r.GetString(2),
            To = r.ReadNullableString(3),
            Broadcast = r.IsDBNull(3),
            Namespace = r.GetString(4),
            Subject = r.GetString(5),
            Body = r.GetString(6),
            Data = r.IsDBNull(7) ? null : StoreRows.ParseElement(r.GetString(7)),
            ReplyTo = r.IsDBNull(8) ? null : r.GetInt64(8),
            ThreadId = r.GetInt64(9),
            CreatedAt = r.ReadTime(10),
            Recipients = r.GetInt32(11),
        };
    }

    /// <summary>An entry from <c>position, namespace, key, version, type, value, tags, author, created_at, expires_at, deleted</c>.</summary>
    public static SharedEntry ReadEntry(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new SharedEntry
        {
            Position = r.GetInt64(0),
            Namespace = r.GetString(1),
            Key = r.GetString(2),
            Version = r.GetInt64(3),
            Type = r.GetString(4),
            Value = r.IsDBNull(5) ? null : StoreRows.ParseElement(r.GetString(5)),
            Tags = StoreRows.ParseList(r.GetString(6)),
            Author = r.GetString(7),
            CreatedAt = r.ReadTime(8),
            ExpiresAt = r.IsDBNull(9) ? null : r.ReadTime(9),
            Deleted = r.GetBoolean(10),
        };
    }
}
