namespace Continuum.Handoffs;

/// <summary>A file in the project's code registry.</summary>
/// <param name="Path">The file.</param>
/// <param name="Description">What it is, from the latest handoff that said.</param>
/// <param name="UpdatedAt">When a handoff last touched it.</param>
public sealed record CodeEntry(string Path, string? Description, DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// The files a handoff names for the registry: each created entry (<c>path - description</c>, the description
    /// optional) and each modified file (no description), blanks skipped.
    /// </summary>
    public static IEnumerable<(string Path, string? Description)> Of(Handoff handoff)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        foreach (var entry in handoff.CodeCreated)
        {
            var split = entry.IndexOf(" - ", StringComparison.Ordinal);
            var path = (split < 0 ? entry : entry[..split]).Trim();
            var description = split < 0 ? null : entry[(split + 3)..].Trim();
            if (path.Length > 0)
            {
                yield return (path, string.IsNullOrEmpty(description) ? null : description);
            }
        }

        foreach (var path in handoff.FilesModified.Select(f => f.Trim()).Where(f => f.Length > 0))
        {
            yield return (path, null);
        }
    }
}
