using Continuum.Sessions;

namespace Continuum.Dashboard;

/// <summary>A session the sessions page's full-text search found: how many of its messages match, and the first few.</summary>
/// <param name="Session">The session.</param>
/// <param name="Count">How many of the events read hold every word of the query.</param>
/// <param name="Events">The first of them, oldest first.</param>
internal sealed record SessionMatch(Session Session, int Count, IReadOnlyList<SessionEvent> Events);
