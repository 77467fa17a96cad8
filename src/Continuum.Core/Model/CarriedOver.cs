namespace Continuum.Model;

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
}
