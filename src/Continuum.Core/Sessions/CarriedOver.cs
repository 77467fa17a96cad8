using Continuum.Context;

namespace Continuum.Sessions;

/// <summary>The context a continuation takes from the session it continues.</summary>
public sealed record CarriedOver
{
    /// <summary>The parent session.</summary>
    public required string FromSessionId { get; init; }

    /// <summary>The interface the parent was on when it was continued.</summary>
    public required string FromInterface { get; init; }

    /// <summary>The parent's title.</summary>
    public string? Title { get; init; }

    /// <summary>The parent's summary at the time.</summary>
    public string? Summary { get; init; }

    /// <summary>The parent's entities at the time.</summary>
    public IReadOnlyList<string> Entities { get; init; } = [];

    /// <summary>The parent's topics at the time.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>The parent's last messages, oldest first, so the new interface can pick up mid-thread.</summary>
    public IReadOnlyList<CarriedMessage> LastMessages { get; init; } = [];

    /// <summary>
    /// What the parent itself carried over when it was a continuation, so a chain of continuations (telegram, then
    /// web, then cli) keeps what its first session said. At most <see cref="MaxDepth"/> links deep: the oldest go.
    /// </summary>
    public CarriedOver? Earlier { get; init; }

    /// <summary>How many earlier links a carried-over context keeps.</summary>
    public const int MaxDepth = 8;

    /// <summary>This link and its earlier ones, newest first.</summary>
    public IEnumerable<CarriedOver> Chain()
    {
        for (var link = this; link is not null; link = link.Earlier)
        {
            yield return link;
        }
    }

    /// <summary>This link with its chain cut to <paramref name="depth"/> links (the oldest dropped).</summary>
    public CarriedOver Truncated(int depth) =>
        depth <= 1 || Earlier is null ? this with { Earlier = null } : this with { Earlier = Earlier.Truncated(depth - 1) };
}
