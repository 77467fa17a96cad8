using System.Data.Common;

namespace Continuum.Storage;

/// <summary>
/// The first-level summary covering each event of a read in ascending seq. A session's first-level summaries do not
/// overlap, so their ranges are read once, in order, and walked beside the events: a page of N events costs one
/// small query and N comparisons, not a summary lookup an event (which, for the events after the last summary,
/// scanned every earlier summary of the session).
/// </summary>
internal sealed class SummaryCover
{
    /// <summary>The columns <see cref="Add"/> expects, in order.</summary>
    public const string Columns = "id, from_seq, to_seq";

    private readonly List<(string Id, long From, long To)> _ranges = [];
    private int _next;

    /// <summary>Adds the next range from a reader over <see cref="Columns"/> of the session's level-0 summaries, ordered by <c>from_seq</c>.</summary>
    public void Add(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _ranges.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
    }

    /// <summary>The summary covering <paramref name="seq"/>, or null; each call's seq is greater than the last call's.</summary>
    public string? For(long seq)
    {
        while (_next < _ranges.Count && _ranges[_next].To < seq)
        {
            _next++;
        }

        return _next < _ranges.Count && _ranges[_next].From <= seq ? _ranges[_next].Id : null;
    }
}
