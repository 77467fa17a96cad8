using System.Text.Json;
using Continuum.Users;

namespace Continuum.Sessions;

/// <summary>A request to get (resume) or create a session.</summary>
public sealed record OpenSessionRequest
{
    /// <summary>A canonical user id; or give <see cref="Identity"/>; neither means an anonymous session.</summary>
    public string? UserId { get; init; }

    /// <summary>An external identity that resolves to the canonical user (created on first sight).</summary>
    public IdentityRef? Identity { get; init; }

    /// <summary>The interface the session is opened on (required).</summary>
    public string? Interface { get; init; }

    /// <summary>The interface's own handle (chat id, cookie, host).</summary>
    public string? InterfaceId { get; init; }

    /// <summary>The serving node's name.</summary>
    public string? NodeName { get; init; }

    /// <summary>The agent running the session.</summary>
    public string? AgentId { get; init; }

    /// <summary>A title for a new session.</summary>
    public string? Title { get; init; }

    /// <summary><c>resume</c> (default) resumes the user's active session; <c>new</c> always creates one.</summary>
    public string? Mode { get; init; }

    /// <summary>The token limit for a new session.</summary>
    public int? TokenLimit { get; init; }

    /// <summary>The sliding expiry window for a new session.</summary>
    public long? ExpiresInSeconds { get; init; }

    /// <summary>Metadata for a new session (a JSON object).</summary>
    public JsonElement? Metadata { get; init; }
}
