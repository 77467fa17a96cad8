using Microsoft.Extensions.Logging;

namespace Continuum.Context;

/// <summary>
/// The model's summarizer when one is configured, with the extractive summarizer behind it: a model that fails or
/// times out yields an extractive summary marked <c>extractive-fallback</c>, which is redone by the model later.
/// </summary>
public sealed partial class SummarizerChain(ExtractiveSummarizer extractive, ILogger<SummarizerChain> logger, ChatClientSummarizer? model = null)
{
    /// <summary>The name of summaries written by the fallback.</summary>
    public const string FallbackName = "extractive-fallback";

    /// <summary>True when a model summarizer is configured.</summary>
    public bool HasModel => model is not null;

    /// <summary>The summary and the name of the summarizer that wrote it.</summary>
    public async Task<(string Text, string Summarizer)> SummarizeAsync(IReadOnlyList<SummarySource> items, int maxTokens, CancellationToken cancellationToken)
    {
        if (model is not null)
        {
            try
            {
                return (await model.SummarizeAsync(items, maxTokens, cancellationToken).ConfigureAwait(false), model.Name);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogModelFailed(logger, model.Name, ex.GetType().Name);
                return (await extractive.SummarizeAsync(items, maxTokens, cancellationToken).ConfigureAwait(false), FallbackName);
            }
        }

        return (await extractive.SummarizeAsync(items, maxTokens, cancellationToken).ConfigureAwait(false), extractive.Name);
    }

    /// <summary>The model's summary, or null without a model or when it fails again.</summary>
    public async Task<(string Text, string Summarizer)?> TryModelAsync(IReadOnlyList<SummarySource> items, int maxTokens, CancellationToken cancellationToken)
    {
        if (model is null)
        {
            return null;
        }

        try
        {
            return (await model.SummarizeAsync(items, maxTokens, cancellationToken).ConfigureAwait(false), model.Name);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogModelFailed(logger, model.Name, ex.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Summarizer {Model} failed ({Error}); used the extractive summary and will retry with the model later")]
    private static partial void LogModelFailed(ILogger logger, string model, string error);
}
