namespace Continuum.Validation;

/// <summary>Size limits on what clients send. Over a limit is a 413.</summary>
public sealed class InputLimits
{
    /// <summary>An event's content, in UTF-8 bytes.</summary>
    public int MaxContentBytes { get; set; } = 256 * 1024;

    /// <summary>An event's or session's metadata, state or preferences, in UTF-8 bytes of JSON.</summary>
    public int MaxMetadataBytes { get; set; } = 64 * 1024;

    /// <summary>Events in one batch.</summary>
    public int MaxBatchEvents { get; set; } = 1000;

    /// <summary>A whole request body, in bytes.</summary>
    public long MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>A handoff's text (goal, notes, each list item's text), in UTF-8 bytes.</summary>
    public int MaxHandoffTextBytes { get; set; } = 16 * 1024;

    /// <summary>Items in one of a handoff's lists (decisions, next steps, …) and components in its architecture.</summary>
    public int MaxHandoffListItems { get; set; } = 500;

    /// <summary>Token limit a session may ask for.</summary>
    public int MaxTokenLimit { get; set; } = 2_000_000;
}
