namespace Continuum.Sessions;

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

    /// <summary>The page size asked for, or the default.</summary>
    public int PageSize => Limit ?? 50;

    /// <summary>The filters given, as the session column each one must equal and its value.</summary>
    public IEnumerable<(string Column, string Value)> Equalities()
    {
        if (UserId is not null)
        {
            yield return ("user_id", UserId);
        }

        if (Interface is not null)
        {
            yield return ("interface", Interface);
        }

        if (Status is not null)
        {
            yield return ("status", Status);
        }

        if (AgentId is not null)
        {
            yield return ("agent_id", AgentId);
        }
    }
}
