namespace Continuum.Lifecycle;

/// <summary>Text rules of the data lifecycle shared by the stores.</summary>
public static class LifecycleText
{
    /// <summary>What a forgotten id is replaced with in a document that mentioned it.</summary>
    public const string Forgotten = "forgotten";

    /// <summary><paramref name="text"/> with every occurrence of each id replaced by <see cref="Forgotten"/>.</summary>
    public static string Scrub(string text, IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids.Where(i => i.Length > 0))
        {
            text = text.Replace(id, Forgotten, StringComparison.Ordinal);
        }

        return text;
    }
}
