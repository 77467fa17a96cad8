using System.Globalization;

namespace Continuum.Handoffs;

/// <summary>The ids a project's knowledge base numbers its decisions and tasks by, the same in every store.</summary>
public static class KnowledgeIds
{
    /// <summary>The id of decision <paramref name="number"/> (<c>decision-007</c>).</summary>
    public static string Decision(long number) => $"decision-{number:000}";

    /// <summary>The id of task <paramref name="number"/> (<c>task-007</c>).</summary>
    public static string Task(long number) => $"task-{number:000}";

    /// <summary>The number in a decision's or task's id.</summary>
    public static long Number(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return long.Parse(id.AsSpan(id.IndexOf('-') + 1), CultureInfo.InvariantCulture);
    }
}
