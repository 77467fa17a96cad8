using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Continuum.Tokens;

/// <summary>
/// Counts tokens with Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/> over the <c>o200k_base</c> or
/// <c>cl100k_base</c> vocabulary of its data packages. Special-token text such as <c>&lt;|endoftext|&gt;</c> is
/// counted as ordinary text, as a model's API counts message content.
/// </summary>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    /// <summary>The encoding of GPT-4o and later models.</summary>
    public const string O200kBase = "o200k_base";

    /// <summary>The encoding of GPT-4 and GPT-3.5-turbo.</summary>
    public const string Cl100kBase = "cl100k_base";

    // The encodings' split patterns as Microsoft.ML.Tokenizers 2.0.1 spells them for .NET's regex engine.
    private const string O200kPattern = @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Cl100kPattern = @"'(?i:[sdmt]|ll|ve|re)|(?>[^\r\n\p{L}\p{N}]?)(?>\p{L}+)|(?>\p{N}{1,3})| ?(?>[^\s\p{L}\p{N}]+)(?>[\r\n]*)|(?>\s+)$|\s*[\r\n]|\s+(?!\S)|\s+";

    private static readonly Lazy<TiktokenTokenizer> O200k = new(() => Load(O200kBase, "Microsoft.ML.Tokenizers.Data.O200kBase", O200kPattern));
    private static readonly Lazy<TiktokenTokenizer> Cl100k = new(() => Load(Cl100kBase, "Microsoft.ML.Tokenizers.Data.Cl100kBase", Cl100kPattern));

    private TiktokenTokenCounter(string name, TiktokenTokenizer tokenizer)
    {
        Name = name;
        Tokenizer = tokenizer;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The tokenizer (for token ids and decoding).</summary>
    public TiktokenTokenizer Tokenizer { get; }

    /// <summary>The counter for an encoding, <c>o200k_base</c> or <c>cl100k_base</c>; its vocabulary loads once per process.</summary>
    /// <exception cref="ArgumentException">The encoding is not one of the two.</exception>
    public static TiktokenTokenCounter ForEncoding(string name) => name switch
    {
        O200kBase => new TiktokenTokenCounter(O200kBase, O200k.Value),
        Cl100kBase => new TiktokenTokenCounter(Cl100kBase, Cl100k.Value),
        _ => throw new ArgumentException($"Unknown tokenizer '{name}': use {O200kBase}, {Cl100kBase} or estimate.", nameof(name)),
    };

    /// <summary>
    /// The counter <paramref name="tokenizer"/> names: an encoding (default <c>o200k_base</c>), or <c>estimate</c>.
    /// An encoding that is unknown or whose data cannot be loaded falls back to the estimate, reported through
    /// <paramref name="fallback"/>.
    /// </summary>
    public static ITokenCounter Create(string? tokenizer, Action<Exception>? fallback = null)
    {
        var name = string.IsNullOrWhiteSpace(tokenizer) ? O200kBase : tokenizer.Trim().ToLowerInvariant();
        if (name == "estimate")
        {
            return new EstimatingTokenCounter();
        }

        try
        {
            return ForEncoding(name);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or InvalidDataException or IOException)
        {
            fallback?.Invoke(ex);
            return new EstimatingTokenCounter();
        }
    }

    /// <inheritdoc />
    public int Count(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Tokenizer.CountTokens(text);
    }

    // TiktokenTokenizer.CreateForEncoding also splits on the encoding's special tokens, so "<|endoftext|>" in a
    // message would count as one token where a model's API counts it as text. The same vocabulary (the data
    // package's resource, which CreateForEncoding reads too) and pattern without special tokens count it as text.
    private static TiktokenTokenizer Load(string name, string dataAssembly, string pattern)
    {
        var data = Assembly.Load(new AssemblyName(dataAssembly));
        var resource = name + ".tiktoken.deflate";
        using var stream = data.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The {name} vocabulary ({resource}) is missing from {data.GetName().Name}.");
        using var vocabulary = new DeflateStream(stream, CompressionMode.Decompress);
        return TiktokenTokenizer.Create(vocabulary, new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), specialTokens: null), normalizer: null, specialTokens: null);
    }
}
