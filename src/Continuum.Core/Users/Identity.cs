namespace Continuum.Users;

/// <summary>An external identity: a user as one interface knows them.</summary>
/// <param name="Interface">The interface (telegram, web, …).</param>
/// <param name="ExternalUserId">The interface's own user id.</param>
/// <param name="UserId">The canonical user it resolves to.</param>
/// <param name="DisplayName">The name the interface gave.</param>
/// <param name="CreatedAt">When it was first seen or linked.</param>
public sealed record Identity(string Interface, string ExternalUserId, string UserId, string? DisplayName, DateTimeOffset CreatedAt);
