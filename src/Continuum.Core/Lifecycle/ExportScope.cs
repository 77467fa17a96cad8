namespace Continuum.Lifecycle;

/// <summary>What an export holds.</summary>
/// <param name="Kind"><c>tenant</c>, <c>user</c>, <c>session</c> or <c>project</c>.</param>
/// <param name="Id">The user, session or project; null for the tenant.</param>
public sealed record ExportScope(string Kind, string? Id)
{
    /// <summary>The whole tenant.</summary>
    public const string Tenant = "tenant";

    /// <summary>A user: identities, sessions, events, summaries, memories, entities and facts.</summary>
    public const string User = "user";

    /// <summary>A session: the session, its links, events, summaries, entities and memories.</summary>
    public const string Session = "session";

    /// <summary>A project: its handoffs, knowledge base and shared-memory namespace.</summary>
    public const string Project = "project";

    /// <summary>The scopes there are.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [Tenant, User, Session, Project];
}
