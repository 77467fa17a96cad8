namespace Continuum.Context;

/// <summary>Folds a stretch of conversation (or earlier summaries) into a summary.</summary>
public interface ISummarizer
{
    /// <summary>The summarizer's name, stored with each summary it writes.</summary>
    string Name { get; }

    /// <summary>A summary of <paramref name="items"/> of at most <paramref name="maxTokens"/> tokens.</summary>
    Task<string> SummarizeAsync(IReadOnlyList<SummarySource> items, int maxTokens, CancellationToken cancellationToken);
}
