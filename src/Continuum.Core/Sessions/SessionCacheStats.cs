namespace Continuum.Sessions;

/// <summary>How a node's hot-session cache is doing.</summary>
/// <param name="Capacity">The most sessions it holds.</param>
/// <param name="Entries">The sessions it holds now.</param>
/// <param name="Hits">Reads answered from it (after checking the row's version).</param>
/// <param name="Misses">Reads that had to fetch the row.</param>
/// <param name="Invalidations">Entries dropped because the session changed (here or on another node).</param>
public sealed record SessionCacheStats(int Capacity, int Entries, long Hits, long Misses, long Invalidations)
{
    /// <summary>Hits over all reads (0 before any).</summary>
    public double HitRate => Hits + Misses == 0 ? 0 : Math.Round((double)Hits / (Hits + Misses), 4);
}

/// <summary>A store that keeps a hot-session cache reports on it here.</summary>
public interface ISessionCacheReport
{
    /// <summary>The cache's figures now.</summary>
    SessionCacheStats Snapshot();
}

/// <summary>What a node's group commits did so far.</summary>
/// <param name="Groups">Group transactions committed.</param>
/// <param name="Grouped">Appends committed in them.</param>
/// <param name="HandedBack">Appends handed back to run alone (a session not open, a key already stored, a failed group).</param>
public sealed record AppendGroupStats(long Groups, long Grouped, long HandedBack)
{
    /// <summary>Appends a group on average (0 before any).</summary>
    public double AverageGroupSize => Groups == 0 ? 0 : Math.Round((double)Grouped / Groups, 2);
}

/// <summary>A store that commits appends in groups reports on them here.</summary>
public interface IAppendGroupReport
{
    /// <summary>The group commits' figures now.</summary>
    AppendGroupStats AppendGroups { get; }
}
