namespace Continuum.Dashboard.Components;

/// <summary>A line diff of two texts (longest common subsequence), for comparing shared-memory versions.</summary>
internal static class LineDiff
{
    /// <summary>One line of the diff: <c>' '</c> in both, <c>'-'</c> only in the old text, <c>'+'</c> only in the new.</summary>
    public readonly record struct Line(char Kind, string Text);

    public static IReadOnlyList<Line> Compare(string older, string newer)
    {
        var a = older.Split('\n');
        var b = newer.Split('\n');
        // Values are small (metadata limits); past this many lines, show the two whole.
        if ((long)a.Length * b.Length > 4_000_000)
        {
            return [.. a.Select(l => new Line('-', l)), .. b.Select(l => new Line('+', l))];
        }

        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<Line>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y])
            {
                lines.Add(new Line(' ', a[x++]));
                y++;
            }
            else if (lcs[x + 1, y] >= lcs[x, y + 1])
            {
                lines.Add(new Line('-', a[x++]));
            }
            else
            {
                lines.Add(new Line('+', b[y++]));
            }
        }

        lines.AddRange(a[x..].Select(l => new Line('-', l)));
        lines.AddRange(b[y..].Select(l => new Line('+', l)));
        return lines;
    }
}
