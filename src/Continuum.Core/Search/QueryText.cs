using System.Globalization;
using System.Text;

namespace Continuum.Search;

/// <summary>
/// The text side of search: a query's words (lower case, NFKC, without stop words), the light stemming that names the
/// words a result matched, and the time phrases ("yesterday", "last week", "past 3 days") that favour items of a time.
/// No index syntax: each search store writes its own query from the terms.
/// </summary>
public static class QueryText
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being",
        "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further",
        "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
        "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
        "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
        "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
        "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "s", "t", "d", "ll",
        "m", "re", "ve", "don", "didn", "doesn", "isn", "wasn", "aren", "weren", "won", "also", "ever", "get", "got", "go", "goes", "went", "like", "likely",
        "kind", "kinds", "thing", "things", "way", "ways", "many", "much", "what's", "let", "us", "may", "might", "must", "shall", "yes", "yeah",
    };

    /// <summary>The query's words, lower case, without stop words (all of them when only stop words are left).</summary>
    public static IReadOnlyList<string> Terms(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var words = Words(query).ToList();
        var kept = words.Where(w => !StopWords.Contains(w) && (w.Length > 1 || char.IsDigit(w[0]))).Distinct(StringComparer.Ordinal).ToList();
        return kept.Count > 0 ? kept : [.. words.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The words of <paramref name="text"/>, lower case, in order.</summary>
    public static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var ch in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(ch) || (ch == '\'' && word.Length > 0))
            {
                word.Append(char.ToLowerInvariant(ch));
            }
            else if (word.Length > 0)
            {
                yield return word.ToString().Trim('\'');
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString().Trim('\'');
        }
    }

    /// <summary>A light stem for explanations (the index stems with Porter; this is enough to name the words that matched).</summary>
    public static string Stem(string word)
    {
        foreach (var suffix in (string[])["'s", "ing", "ed", "es", "s", "ly"])
        {
            if (word.Length > suffix.Length + 2 && word.EndsWith(suffix, StringComparison.Ordinal))
            {
                return word[..^suffix.Length];
            }
        }

        return word;
    }

    /// <summary>The time window a phrase of the query names, relative to <paramref name="now"/>, or null.</summary>
    public static (DateTimeOffset From, DateTimeOffset To)? RelativeTime(string query, DateTimeOffset now)
    {
        var q = query.ToLowerInvariant();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        if (q.Contains("yesterday", StringComparison.Ordinal))
        {
            return (today.AddDays(-1), today);
        }

        if (q.Contains("today", StringComparison.Ordinal))
        {
            return (today, now);
        }

        if (q.Contains("last week", StringComparison.Ordinal) || q.Contains("past week", StringComparison.Ordinal))
        {
            return (today.AddDays(-7), now);
        }

        if (q.Contains("last month", StringComparison.Ordinal) || q.Contains("past month", StringComparison.Ordinal))
        {
            return (today.AddDays(-31), now);
        }

        var match = System.Text.RegularExpressions.Regex.Match(q, @"(?:last|past) (\d{1,3}) days");
        return match.Success ? (today.AddDays(-int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)), now) : null;
    }
}
