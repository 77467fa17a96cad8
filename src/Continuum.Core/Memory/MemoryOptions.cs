namespace Continuum.Memory;

/// <summary>Long-term memory settings (<c>Continuum:Memory</c>).</summary>
public sealed class MemoryOptions
{
    /// <summary>A session with no activity for this long has gone idle and gets its conversation memory (default 30 minutes).</summary>
    public TimeSpan IdleAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often idle sessions are looked for (default 1 minute).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Write conversation memories at all (default true).</summary>
    public bool ConversationMemories { get; set; } = true;
}
