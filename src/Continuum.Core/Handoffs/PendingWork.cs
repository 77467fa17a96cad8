namespace Continuum.Handoffs;

/// <summary>A piece of pending work.</summary>
/// <param name="Id">Its id in the project, e.g. <c>task-012</c>.</param>
/// <param name="Task">What to do.</param>
/// <param name="Priority"><c>high</c>, <c>medium</c> or <c>low</c>.</param>
/// <param name="Status"><c>open</c> or <c>done</c>.</param>
/// <param name="OpenedAt">When a handoff first asked for it.</param>
/// <param name="ClosedAt">When a later handoff reported it achieved.</param>
/// <param name="ClosedBy">That handoff.</param>
public sealed record PendingWork(string Id, string Task, string Priority, string Status, DateTimeOffset OpenedAt, DateTimeOffset? ClosedAt, string? ClosedBy)
{
    /// <summary>Task <paramref name="number"/> as stored: done when it has a closing time, else open.</summary>
    public static PendingWork Of(long number, string task, string priority, DateTimeOffset openedAt, DateTimeOffset? closedAt, string? closedBy) =>
        new(KnowledgeIds.Task(number), task, priority, closedAt is null ? PendingStatus.Open : PendingStatus.Done, openedAt, closedAt, closedBy);
}

/// <summary>The states of pending work.</summary>
public static class PendingStatus
{
    /// <summary>Still to do.</summary>
    public const string Open = "open";

    /// <summary>Reported achieved by a later handoff.</summary>
    public const string Done = "done";
}

/// <summary>The priorities of next steps and pending work, most urgent first.</summary>
public static class Priorities
{
    /// <summary>Every priority, most urgent first.</summary>
    public static readonly IReadOnlyList<string> All = ["high", "medium", "low"];

    /// <summary>0 for high, 1 for medium, 2 for low.</summary>
    public static int Rank(string priority) => priority switch { "high" => 0, "low" => 2, _ => 1 };
}
