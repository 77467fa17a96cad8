namespace Continuum.Channels;

/// <summary>Cuts a long answer into messages a channel takes, at paragraph boundaries where it can.</summary>
internal static class MessageSplitter
{
    /// <summary>
    /// Pieces of at most <paramref name="max"/> characters that together hold all of <paramref name="text"/>: whole
    /// paragraphs packed together; a paragraph too long is cut at a line break, else after a sentence, else at a
    /// space, and only a run with none of those is cut hard (never between the halves of a surrogate pair).
    /// </summary>
    public static IReadOnlyList<string> Split(string text, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 2);
        var pieces = new List<string>();
        var rest = text.Trim();
        while (rest.Length > max)
        {
            var cut = CutAt(rest, max);
            var piece = rest[..cut].TrimEnd();
            if (piece.Length > 0)
            {
                pieces.Add(piece);
            }

            rest = rest[cut..].TrimStart();
        }

        if (rest.Length > 0)
        {
            pieces.Add(rest);
        }

        return pieces;
    }

    private static int CutAt(string text, int max)
    {
        var window = text.AsSpan(0, max + 1 > text.Length ? text.Length : max + 1);
        foreach (var boundary in (ReadOnlySpan<string>)["\n\n", "\n", ". ", "! ", "? ", " "])
        {
            var at = window[..Math.Min(window.Length, max + boundary.Length)].LastIndexOf(boundary, StringComparison.Ordinal);
            // A boundary at the very start would make an empty piece.
            if (at > 0 && at + (boundary[0] is '.' or '!' or '?' ? 1 : 0) <= max)
            {
                return at + (boundary[0] is '.' or '!' or '?' ? 1 : 0);
            }
        }

        return char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
    }
}
