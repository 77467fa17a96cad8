namespace Continuum.Sessions;

/// <summary>The session a get-or-create returned.</summary>
/// <param name="Session">The session.</param>
/// <param name="Created">True when it was created, false when an existing one was resumed.</param>
public sealed record OpenSessionResult(Session Session, bool Created);
