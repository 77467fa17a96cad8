using System.Text.Json;
using Continuum.Context;
using Continuum.Json;

namespace Continuum.Sessions;

/// <summary>
/// A conversation on one interface (or a run of an agent). Sessions of one canonical user on several
/// interfaces share context through resume, continuation and the user's memories.
/// </summary>
public sealed record Session
{
    /// <summary>The session id (<c>ses_…</c>), unique across tenants.</summary>
    public required string Id { get; init; }

    /// <summary>The canonical user, or null for an anonymous session.</summary>
    public string? UserId { get; init; }

    /// <summary>The agent running this session, when an agent does.</summary>
    public string? AgentId { get; init; }

    /// <summary>The interface the session is on now (telegram, web, cli, agent, …).</summary>
    public required string Interface { get; init; }

    /// <summary>The interface's own handle: chat id, cookie, host.</summary>
    public string? InterfaceId { get; init; }

    /// <summary>The node or host that serves the session.</summary>
    public string? NodeName { get; init; }

    /// <summary>One of <see cref="SessionStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>A human title.</summary>
    public string? Title { get; init; }

    /// <summary>The session this one continues or forks, if any.</summary>
    public string? ParentId { get; init; }

    /// <summary>When the session was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the session last saw an event or a resume.</summary>
    public required DateTimeOffset LastActiveAt { get; init; }

    /// <summary>When the session expires unless it is active again before then.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The sliding expiry window: every activity moves <see cref="ExpiresAt"/> to now plus this.</summary>
    public required long ExpiresInSeconds { get; init; }

    /// <summary>The context window this session keeps under, in tokens.</summary>
    public required int TokenLimit { get; init; }

    /// <summary>Exact running counts of what was appended.</summary>
    public SessionCounters Counters { get; init; } = new();

    /// <summary>The sequence number of the last event (0 when there is none).</summary>
    public long LastSeq { get; init; }

    /// <summary>State variables (a JSON object, merged on update).</summary>
    public JsonElement State { get; init; } = JsonDefaults.EmptyObject;

    /// <summary>Preferences (a JSON object, merged on update).</summary>
    public JsonElement Preferences { get; init; } = JsonDefaults.EmptyObject;

    /// <summary>Free metadata (a JSON object, merged on update).</summary>
    public JsonElement Metadata { get; init; } = JsonDefaults.EmptyObject;

    /// <summary>The rolling summary of the session's folded history (empty until something is folded).</summary>
    public string? Summary { get; init; }

    /// <summary>Entities the session is about.</summary>
    public IReadOnlyList<string> Entities { get; init; } = [];

    /// <summary>Topics the session is about.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>What this session carried over from its parent when it was continued from it.</summary>
    public CarriedOver? CarriedOver { get; init; }
}
