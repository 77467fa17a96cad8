using System.Text;

namespace Continuum.Handoffs;

/// <summary>Decides whether an achievement reports a pending task as done, and keys texts for de-duplication.</summary>
public static class TaskMatcher
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "to", "of", "for", "and", "or", "in", "on", "at", "with", "is", "was", "be", "it", "all", "up", "set",
        "done", "completed", "complete", "finished", "now", "new",
    };

    /// <summary>A normalized key: lower case, letters and digits only, single spaces.</summary>
    public static string Key(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(c);
                space = false;
            }
            else if (!space && builder.Length > 0)
            {
                builder.Append(' ');
                space = true;
            }
        }

        return builder.ToString().TrimEnd();
    }

    /// <summary>
    /// True when <paramref name="achievement"/> reports <paramref name="task"/> achieved: most of the task's
    /// words (stems) appear in the achievement.
    /// </summary>
    public static bool Achieves(string task, string achievement)
    {
        var taskWords = Words(task);
        if (taskWords.Count == 0)
        {
            return false;
        }

        var achieved = Words(achievement);
        var shared = taskWords.Count(achieved.Contains);
        return shared >= Math.Max(1, (int)Math.Ceiling(taskWords.Count * 0.6));
    }

    private static HashSet<string> Words(string text) =>
        [.. Key(text).Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !StopWords.Contains(w)).Select(Stem)];

    // Enough stemming to see "deploy", "deployed" and "deploying" as one word.
    private static string Stem(string word)
    {
        foreach (var suffix in (string[])["ing", "ed", "es", "s"])
        {
            if (word.Length > suffix.Length + 2 && word.EndsWith(suffix, StringComparison.Ordinal))
            {
                return word[..^suffix.Length];
            }
        }

        return word;
    }
}
