using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

/// <summary>
/// Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/> over the vocabulary of its o200k_base or cl100k_base
/// data package, without special tokens: <c>TiktokenTokenizer.CreateForEncoding</c> also splits on them, so
/// "&lt;|endoftext|&gt;" in a message counts as one token where a model's API (and Continuum's own BPE) counts it as text.
/// </summary>
internal static class LibraryTokenizer
{
    // The encodings' split patterns as Microsoft.ML.Tokenizers 2.0.1 spells them for .NET's regex engine.
    private const string O200kPattern = @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Cl100kPattern = @"'(?i:[sdmt]|ll|ve|re)|(?>[^\r\n\p{L}\p{N}]?)(?>\p{L}+)|(?>\p{N}{1,3})| ?(?>[^\s\p{L}\p{N}]+)(?>[\r\n]*)|(?>\s+)$|\s*[\r\n]|\s+(?!\S)|\s+";

    public static TiktokenTokenizer WithoutSpecialTokens(string encoding) => encoding switch
    {
        "o200k_base" => Load(encoding, "Microsoft.ML.Tokenizers.Data.O200kBase", O200kPattern),
        "cl100k_base" => Load(encoding, "Microsoft.ML.Tokenizers.Data.Cl100kBase", Cl100kPattern),
        _ => throw new ArgumentException($"Unknown encoding '{encoding}'.", nameof(encoding)),
    };

    // The data package's resource is the one CreateForEncoding reads too.
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
