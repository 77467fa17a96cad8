using Continuum.Context;
using Continuum.Sessions;
using Continuum.Users;

namespace Continuum.Client;

/// <summary>
/// What <see cref="ContinuumChatClientBuilderExtensions.UseContinuumMemory(Microsoft.Extensions.AI.ChatClientBuilder, ContinuumMemoryOptions)"/>
/// works with: the services (in-process from Core, or a <see cref="ContinuumClient"/> against a server) and whose
/// session the conversation belongs to.
/// </summary>
public sealed class ContinuumMemoryOptions
{
    /// <summary>The session service; null takes it from the builder's service provider.</summary>
    public ISessionService? Sessions { get; set; }

    /// <summary>The context service; null takes it from the builder's service provider.</summary>
    public IContextService? Context { get; set; }

    /// <summary>The session to use; when null, the user's (<see cref="UserId"/> or <see cref="Identity"/>) active session is resumed or opened.</summary>
    public string? SessionId { get; set; }

    /// <summary>The canonical user whose session it is.</summary>
    public string? UserId { get; set; }

    /// <summary>The user as an identity on an interface (created on first sight).</summary>
    public IdentityRef? Identity { get; set; }

    /// <summary>The interface recorded with the messages (default <c>dotnet</c>).</summary>
    public string Interface { get; set; } = "dotnet";

    /// <summary>Put the session's context in front of the messages (default true).</summary>
    public bool InjectContext { get; set; } = true;
}
