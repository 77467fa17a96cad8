using System.Text.Json;

namespace Continuum.Agents;

/// <summary>The states of an agent session.</summary>
public static class AgentStatus
{
    /// <summary>Registered and answering.</summary>
    public const string Active = "active";

    /// <summary>Busy on a task.</summary>
    public const string Working = "working";

    /// <summary>Waiting for work.</summary>
    public const string Idle = "idle";

    /// <summary>Stuck; needs help.</summary>
    public const string Blocked = "blocked";

    /// <summary>Gone: said so, or missed its heartbeats for the timeout.</summary>
    public const string Offline = "offline";

    /// <summary>Every status.</summary>
    public static readonly IReadOnlyList<string> All = [Active, Working, Idle, Blocked, Offline];
}

/// <summary>A session registered as an agent.</summary>
public sealed record Agent
{
    /// <summary>The session id it registered under (a Continuum session id or the agent's own).</summary>
    public required string SessionId { get; init; }

    /// <summary>The namespace (project or team) it works in.</summary>
    public required string Namespace { get; init; }

    /// <summary>The agent's name.</summary>
    public required string AgentName { get; init; }

    /// <summary>Its type or model (e.g. Claude, GPT-4).</summary>
    public required string AgentType { get; init; }

    /// <summary>The person it works for.</summary>
    public string? HumanUser { get; init; }

    /// <summary>What it can do (e.g. python, review).</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>Its status now: the reported one, or <c>offline</c> when its heartbeats stopped.</summary>
    public required string Status { get; init; }

    /// <summary>The status it last reported.</summary>
    public required string ReportedStatus { get; init; }

    /// <summary>What it is working on.</summary>
    public string? CurrentTask { get; init; }

    /// <summary>When it registered.</summary>
    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>Its last heartbeat (a ping, a status change, a registration or a message sent).</summary>
    public required DateTimeOffset LastSeenAt { get; init; }
}

/// <summary>What a registration says.</summary>
public sealed record AgentRegistration
{
    /// <summary>The agent's name.</summary>
    public string? AgentName { get; init; }

    /// <summary>Its type or model.</summary>
    public string? AgentType { get; init; }

    /// <summary>The person it works for.</summary>
    public string? HumanUser { get; init; }

    /// <summary>What it can do.</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }

    /// <summary>The namespace (default <c>default</c>).</summary>
    public string? Namespace { get; init; }
}

/// <summary>Which agents to list.</summary>
/// <param name="Status">Only this status.</param>
/// <param name="Capability">Only agents with this capability.</param>
/// <param name="All">Offline ones too.</param>
/// <param name="Namespace">Only this namespace.</param>
/// <param name="Limit">At most this many agents a page (default 500, at most 1000).</param>
/// <param name="Cursor">Where to go on: the <c>next</c> of the page before.</param>
public sealed record AgentQuery(string? Status = null, string? Capability = null, bool All = false, string? Namespace = null, int? Limit = null, string? Cursor = null);

/// <summary>The registry in numbers.</summary>
/// <param name="Total">Registered agents.</param>
/// <param name="Active">Agents not offline.</param>
/// <param name="ByStatus">Agents per status.</param>
public sealed record AgentStats(int Total, int Active, IReadOnlyDictionary<string, int> ByStatus);

/// <summary>The hub's message types.</summary>
public static class MessageTypes
{
    /// <summary>Every type.</summary>
    public static readonly IReadOnlyList<string> All = ["ping", "request", "response", "broadcast", "notification", "task_offer", "task_accept", "sync", "handoff"];
}

/// <summary>A message to send.</summary>
public sealed record SendMessage
{
    /// <summary>The sending session.</summary>
    public string? From { get; init; }

    /// <summary>The receiving session; absent for a broadcast to every registered session of the namespace but the sender.</summary>
    public string? To { get; init; }

    /// <summary>One of <see cref="MessageTypes.All"/> (default <c>request</c>, or <c>broadcast</c> with no recipient).</summary>
    public string? Type { get; init; }

    /// <summary>The subject.</summary>
    public string? Subject { get; init; }

    /// <summary>The body.</summary>
    public string? Body { get; init; }

    /// <summary>Structured data.</summary>
    public JsonElement? Data { get; init; }

    /// <summary>The message this answers; the reply joins its thread.</summary>
    public long? ReplyTo { get; init; }

    /// <summary>The namespace of a broadcast (default: the sender's).</summary>
    public string? Namespace { get; init; }
}

/// <summary>A message as a recipient's inbox holds it.</summary>
public sealed record HubMessage
{
    /// <summary>The message id.</summary>
    public required long Id { get; init; }

    /// <summary>The delivery's position in the stream (increasing; the cursor of <c>inbox:</c> subscriptions).</summary>
    public long Position { get; init; }

    /// <summary>The type.</summary>
    public required string Type { get; init; }

    /// <summary>The sender.</summary>
    public required string From { get; init; }

    /// <summary>The recipient (this inbox's owner; for a broadcast, each recipient's copy names them).</summary>
    public string? To { get; init; }

    /// <summary>Whether it went to everyone.</summary>
    public bool Broadcast { get; init; }

    /// <summary>The namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>The subject.</summary>
    public required string Subject { get; init; }

    /// <summary>The body.</summary>
    public string Body { get; init; } = "";

    /// <summary>Structured data.</summary>
    public JsonElement? Data { get; init; }

    /// <summary>The message it answers.</summary>
    public long? ReplyTo { get; init; }

    /// <summary>The first message of its thread.</summary>
    public required long ThreadId { get; init; }

    /// <summary>When it was sent.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When this recipient acknowledged it.</summary>
    public DateTimeOffset? AckedAt { get; init; }

    /// <summary>How many inboxes it reached.</summary>
    public int Recipients { get; init; }
}

/// <summary>The shared-memory entry types.</summary>
public static class SharedTypes
{
    /// <summary>Every type.</summary>
    public static readonly IReadOnlyList<string> All = ["state", "fact", "decision", "task", "context", "note", "config"];
}

/// <summary>A write to shared memory.</summary>
public sealed record SharedWrite
{
    /// <summary>The writing session.</summary>
    public string? SessionId { get; init; }

    /// <summary>The value (any JSON).</summary>
    public JsonElement? Value { get; init; }

    /// <summary>One of <see cref="SharedTypes.All"/> (default <c>note</c>).</summary>
    public string? Type { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Seconds until this version expires.</summary>
    public long? TtlSeconds { get; init; }

    /// <summary>Write only if the current version is this (0: only if the key has no live value).</summary>
    public long? ExpectedVersion { get; init; }
}

/// <summary>One version of a shared-memory entry.</summary>
public sealed record SharedEntry
{
    /// <summary>The namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>The key.</summary>
    public required string Key { get; init; }

    /// <summary>The version: 1, 2, … for every write of the key.</summary>
    public required long Version { get; init; }

    /// <summary>The type.</summary>
    public required string Type { get; init; }

    /// <summary>The value; null for a deletion.</summary>
    public JsonElement? Value { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The session that wrote it.</summary>
    public required string Author { get; init; }

    /// <summary>When it was written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it expires, if ever.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Whether this version deletes the key.</summary>
    public bool Deleted { get; init; }

    /// <summary>The write's position in the stream (the cursor of <c>memory:</c> subscriptions).</summary>
    public long Position { get; init; }
}

/// <summary>Shared memory in numbers.</summary>
/// <param name="Keys">Keys with a live value.</param>
/// <param name="Versions">Versions kept.</param>
/// <param name="Namespaces">Namespaces with live keys.</param>
/// <param name="ByType">Live keys per type.</param>
public sealed record SharedStats(int Keys, int Versions, int Namespaces, IReadOnlyDictionary<string, int> ByType);
