namespace Continuum.Model;

/// <summary>Filters and paging for listing sessions, newest first.</summary>
public sealed record SessionQuery
{
    /// <summary>Only this user's sessions.</summary>
    public string? UserId { get; init; }

    /// <summary>Only sessions on this interface.</summary>
    public string? Interface { get; init; }

    /// <summary>Only sessions in this status.</summary>
    public string? Status { get; init; }

    /// <summary>Only this agent's sessions.</summary>
    public string? AgentId { get; init; }

    /// <summary>Page size (1 to 500, default 50).</summary>
    public int? Limit { get; init; }

    /// <summary>The <c>next</c> of the previous page.</summary>
    public string? Cursor { get; init; }
}
