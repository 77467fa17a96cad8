namespace Continuum.Stats;

/// <summary>Totals over a tenant's sessions.</summary>
public sealed record SessionStats
{
    /// <summary>Every session.</summary>
    public long TotalSessions { get; init; }

    /// <summary>Sessions whose status is active.</summary>
    public long ActiveSessions { get; init; }

    /// <summary>Canonical users.</summary>
    public long Users { get; init; }

    /// <summary>Events of every type.</summary>
    public long Events { get; init; }

    /// <summary>Message events.</summary>
    public long Messages { get; init; }

    /// <summary>Input tokens over every session.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output tokens over every session.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Tool calls over every session.</summary>
    public long ToolCalls { get; init; }

    /// <summary>Errors over every session.</summary>
    public long Errors { get; init; }

    /// <summary>Mean messages per session.</summary>
    public double AverageMessagesPerSession { get; init; }

    /// <summary>Mean time from a session's creation to its last activity, in seconds.</summary>
    public double AverageSessionSeconds { get; init; }

    /// <summary>Session count per interface.</summary>
    public IReadOnlyDictionary<string, long> SessionsByInterface { get; init; } = new Dictionary<string, long>();

    /// <summary>Session count per status.</summary>
    public IReadOnlyDictionary<string, long> SessionsByStatus { get; init; } = new Dictionary<string, long>();
}
