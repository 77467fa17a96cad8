using System.Text.RegularExpressions;

namespace Continuum.Context;

/// <summary>
/// The built-in extractor, no model needed: URLs, paths, commands in backticks, hosts and services
/// (dotted names, names with digits and dashes such as <c>gpu-3</c>), versions, numbers with units
/// (<c>82C</c>, <c>30s</c>, <c>16 GiB</c>) and proper names (capitalized words that do not start a sentence,
/// or that recur).
/// </summary>
public sealed partial class RuleEntityExtractor : IEntityExtractor
{
    private const int MaxEntities = 32;

    private static readonly HashSet<string> CommonCapitalized = new(StringComparer.OrdinalIgnoreCase)
    {
        "I", "I'm", "I've", "I'll", "I'd", "The", "A", "An", "And", "But", "Or", "So", "If", "Then", "This", "That", "These", "Those",
        "It", "It's", "We", "You", "He", "She", "They", "My", "Our", "Your", "His", "Her", "Their", "What", "When", "Where", "Who", "Why",
        "How", "Yes", "No", "Ok", "Okay", "Hi", "Hello", "Hey", "Thanks", "Thank", "Please", "Sure", "Great", "Good", "Well", "Oh", "Wow",
        "Also", "Just", "Let", "Let's", "Can", "Could", "Would", "Should", "Will", "Do", "Does", "Did", "Is", "Are", "Was", "Were",
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Today", "Tomorrow", "Yesterday", "Not", "There",
        "Here", "Now", "Maybe", "Sorry", "After", "Before", "For", "In", "On", "At", "To", "From", "With", "As", "By", "Of", "All", "Some",
        "Any", "One", "Every", "Each", "Which", "Have", "Has", "Had", "Be", "Been", "Check", "Restart", "Run", "See", "Try", "Use", "Make",
    };

    [GeneratedRegex(@"\bhttps?://[^\s<>""')\]]+", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"(?<![\w.])(?:~|\.{1,2})?(?:/[\w.@-]+){2,}/?", RegexOptions.CultureInvariant)]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"`([^`\n]{2,80})`", RegexOptions.CultureInvariant)]
    private static partial Regex CommandPattern();

    [GeneratedRegex(@"\bv?\d+\.\d+(?:\.\d+){0,2}(?:-[\w.]+)?\b", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"(?<![\w.])[-+]?\d+(?:[.,]\d+)?\s?(?:°[CF]|%|[KMGTP]i?B|[kKMG]?Hz|ms|µs|ns|[CFK]|s|sec|secs|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?|[kKMG]?[Ww]|V|A|mAh|rpm|RPM|fps|tokens?|req/s|rps|qps|GB/s|MB/s|km|kg|m|cm|mm|USD|EUR|\$|€)(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex QuantityPattern();

    [GeneratedRegex(@"(?:^|(?<=\s))\$\d+(?:[.,]\d+)?\b", RegexOptions.CultureInvariant)]
    private static partial Regex MoneyPattern();

    [GeneratedRegex(@"\b[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|io|dev|local|internal|lan|ai|cloud|svc)\b|\b(?=[A-Za-z0-9-]*[A-Za-z])(?=[A-Za-z0-9-]*\d)[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+\b", RegexOptions.CultureInvariant)]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"\b[A-Z][a-zA-Z'’]+(?:\s+[A-Z][a-zA-Z'’]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex CapitalizedPattern();

    /// <inheritdoc />
    public IReadOnlyList<EntityMention> Extract(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<(int Index, EntityMention Mention)>();
        var taken = new List<(int Start, int End)>();

        void Add(Regex pattern, string kind, int group = 0)
        {
            foreach (Match m in pattern.Matches(text))
            {
                var g = m.Groups[group];
                var value = g.Value.Trim().TrimEnd('.', ',', ';', ':');
                if (value.Length < 2 || Overlaps(taken, g.Index, g.Index + g.Length))
                {
                    continue;
                }

                taken.Add((g.Index, g.Index + g.Length));
                found.Add((g.Index, new EntityMention(value, kind)));
            }
        }

        Add(UrlPattern(), "url");
        Add(CommandPattern(), "command", 1);
        Add(PathPattern(), "path");
        Add(HostPattern(), "host");
        Add(VersionPattern(), "version");
        Add(QuantityPattern(), "quantity");
        Add(MoneyPattern(), "quantity");
        foreach (Match m in CapitalizedPattern().Matches(text))
        {
            if (Overlaps(taken, m.Index, m.Index + m.Length))
            {
                continue;
            }

            var words = m.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var startsSentence = m.Index == 0 || EndsSentence(text.AsSpan(0, m.Index));
            // A sentence's first word is capitalized anyway: keep it only when it is not a common word.
            var kept = words.SkipWhile((w, i) => CommonCapitalized.Contains(w.TrimEnd('\'', '’', 's')) || (i == 0 && startsSentence && CommonCapitalized.Contains(w))).ToArray();
            if (kept.Length == 0 || (kept.Length == 1 && (kept[0].Length < 2 || CommonCapitalized.Contains(kept[0]))))
            {
                continue;
            }

            var name = string.Join(' ', kept).TrimEnd('\'', '’');
            if (name.EndsWith("'s", StringComparison.Ordinal) || name.EndsWith("’s", StringComparison.Ordinal))
            {
                name = name[..^2];
            }

            if (name.Length >= 2)
            {
                taken.Add((m.Index, m.Index + m.Length));
                found.Add((m.Index, new EntityMention(name, "name")));
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<EntityMention>();
        foreach (var (_, mention) in found.OrderBy(f => f.Index))
        {
            if (seen.Add(mention.Key) && result.Count < MaxEntities)
            {
                result.Add(mention);
            }
        }

        return result;
    }

    // What [.!?:]\s*$ matches, read backwards from the end without copying the text before each name.
    private static bool EndsSentence(ReadOnlySpan<char> before)
    {
        var end = before.Length;
        while (end > 0 && char.IsWhiteSpace(before[end - 1]))
        {
            end--;
        }

        return end > 0 && before[end - 1] is '.' or '!' or '?' or ':';
    }

    private static bool Overlaps(List<(int Start, int End)> taken, int start, int end) =>
        taken.Exists(t => start < t.End && t.Start < end);
}
