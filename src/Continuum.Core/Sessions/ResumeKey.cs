namespace Continuum.Sessions;

/// <summary>
/// Which session a get-or-create may resume: the user's (with the same agent, or none), or for an anonymous
/// caller the one on the same interface handle.
/// </summary>
/// <param name="UserId">The canonical user, or null for an anonymous caller.</param>
/// <param name="AgentId">The agent, or null for a person's own sessions.</param>
/// <param name="Interface">The interface, used to match anonymous sessions.</param>
/// <param name="InterfaceId">The interface handle, used to match anonymous sessions.</param>
public sealed record ResumeKey(string? UserId, string? AgentId, string Interface, string? InterfaceId);
