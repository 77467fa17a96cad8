namespace Continuum.Sessions;

/// <summary>What a batch of new events adds to its session's counters.</summary>
/// <param name="Messages">Messages.</param>
/// <param name="Input">Tokens of everyone but the assistant.</param>
/// <param name="Output">Tokens of the assistant.</param>
/// <param name="ToolCalls">Tool calls.</param>
/// <param name="Errors">Errors.</param>
public readonly record struct EventCounts(long Messages, long Input, long Output, long ToolCalls, long Errors)
{
    /// <summary>The counts of <paramref name="events"/>.</summary>
    public static EventCounts Of(IEnumerable<EventRecord> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var counts = default(EventCounts);
        foreach (var e in events)
        {
            counts = counts.Add(e);
        }

        return counts;
    }

    /// <summary>These counts with one more event.</summary>
    public EventCounts Add(EventRecord e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var assistant = e.Role == EventRole.Assistant;
        return new EventCounts(
            Messages + (e.Type == EventType.Message ? 1 : 0),
            Input + (assistant ? 0 : e.Tokens),
            Output + (assistant ? e.Tokens : 0),
            ToolCalls + (e.Type == EventType.ToolCall ? 1 : 0),
            Errors + (e.Type == EventType.Error ? 1 : 0));
    }
}
