namespace Continuum.Tokens;

/// <summary>
/// The fallback when no tokenizer is configured: one token per four characters, rounded up, the rule of
/// thumb for English text with BPE vocabularies.
/// </summary>
public sealed class EstimatingTokenCounter : ITokenCounter
{
    /// <inheritdoc />
    public string Name => "estimate";

    /// <inheritdoc />
    public int Count(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return (text.Length + 3) / 4;
    }
}
