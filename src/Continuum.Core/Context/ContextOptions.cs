namespace Continuum.Context;

/// <summary>Compression and context settings (configuration section <c>Continuum:Context</c>).</summary>
public sealed class ContextOptions
{
    /// <summary>Fold when the unsummarized history passes this share of the session's token limit.</summary>
    public double SummarizeThreshold { get; set; } = 0.7;

    /// <summary>The share of the unsummarized messages kept unfolded.</summary>
    public double KeepRecentRatio { get; set; } = 0.3;

    /// <summary>At least this many messages stay unfolded.</summary>
    public int KeepRecentMin { get; set; } = 10;

    /// <summary>The longest summary, in tokens.</summary>
    public int SummaryMaxTokens { get; set; } = 500;

    /// <summary>When the current summaries pass this share of the token limit they are folded into one (summary of summaries).</summary>
    public double StackShare { get; set; } = 0.3;

    /// <summary>How often the background compressor sweeps for sessions over the threshold (besides being told on append).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many long-term memories a context loads.</summary>
    public int MemoriesLoaded { get; set; } = 5;

    /// <summary>False turns background compression off (the context builder still keeps within budget).</summary>
    public bool CompressionEnabled { get; set; } = true;
}
