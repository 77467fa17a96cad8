using Continuum.Search;
using Continuum.Sessions;

namespace Continuum.Dashboard;

/// <summary>
/// The sessions page's full-text search: which of one user's recent sessions hold every word of a query, with the
/// messages that do. It reads the user's own latest events (at most <see cref="MaxSessions"/> sessions, the latest
/// <see cref="EventsPerSession"/> events of each) rather than the whole tenant's lexical index, so its cost follows
/// the user's history and not the store's size; the ranked search over everything is <c>POST /api/search</c>.
/// </summary>
internal static class SessionTextSearch
{
    /// <summary>How many of the user's most recent sessions are read.</summary>
    public const int MaxSessions = 50;

    /// <summary>How many of each session's latest events are read.</summary>
    public const int EventsPerSession = 200;

    private const int MatchesShown = 3;

    /// <summary>The user's sessions that match, most matching messages first, then most recent.</summary>
    public static async Task<IReadOnlyList<SessionMatch>> SearchAsync(ISessionService sessions, string userId, string query, CancellationToken cancellationToken)
    {
        var wanted = QueryText.Terms(query).Select(QueryText.Stem).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return [];
        }

        var recent = await sessions.ListAsync(new SessionQuery { UserId = userId, Limit = MaxSessions }, cancellationToken);
        var found = new List<SessionMatch>();
        foreach (var session in recent.Items)
        {
            var events = await sessions.ListEventsAsync(session.Id, Math.Max(0, session.LastSeq - EventsPerSession), EventsPerSession, cancellationToken);
            var matching = events.Items.Where(e => Holds(e, wanted)).ToList();
            if (matching.Count > 0)
            {
                found.Add(new SessionMatch(session, matching.Count, [.. matching.Take(MatchesShown)]));
            }
        }

        return [.. found.OrderByDescending(m => m.Count).ThenByDescending(m => m.Session.LastActiveAt)];
    }

    private static bool Holds(SessionEvent e, HashSet<string> wanted)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in QueryText.Words(e.Name is null ? e.Content : e.Content + " " + e.Name))
        {
            var stem = QueryText.Stem(word);
            if (wanted.Contains(stem) && found.Add(stem) && found.Count == wanted.Count)
            {
                return true;
            }
        }

        return false;
    }
}
