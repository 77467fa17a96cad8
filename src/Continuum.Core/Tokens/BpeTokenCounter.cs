namespace Continuum.Tokens;

/// <summary>Counts tokens with a byte-pair encoding (<c>o200k_base</c> or <c>cl100k_base</c>).</summary>
public sealed class BpeTokenCounter(BpeEncoding encoding) : ITokenCounter
{
    /// <inheritdoc />
    public string Name => encoding.Name;

    /// <summary>The encoding.</summary>
    public BpeEncoding Encoding => encoding;

    /// <inheritdoc />
    public int Count(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return encoding.Count(text);
    }

    /// <summary>
    /// The counter <paramref name="tokenizer"/> names: an encoding, or <c>estimate</c>. An encoding whose data
    /// cannot be loaded falls back to the estimate, reported through <paramref name="fallback"/>.
    /// </summary>
    public static ITokenCounter Create(string? tokenizer, Action<Exception>? fallback = null)
    {
        var name = string.IsNullOrWhiteSpace(tokenizer) ? BpeEncoding.O200kBase : tokenizer.Trim().ToLowerInvariant();
        if (name == "estimate")
        {
            return new EstimatingTokenCounter();
        }

        try
        {
            return new BpeTokenCounter(BpeEncoding.Get(name));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or InvalidDataException or IOException)
        {
            fallback?.Invoke(ex);
            return new EstimatingTokenCounter();
        }
    }
}
