using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Continuum.Tokens;

/// <summary>
/// A byte-pair encoding in the manner of OpenAI's tiktoken: text is split by the encoding's pattern, each piece's
/// UTF-8 bytes are merged pair by pair in order of rank until no adjacent pair has one, and each part is a token.
/// The ranks are data (<c>Tokens/Data/NAME.tiktoken.gz</c>, made by <c>scripts/tokenizer-data.sh</c>).
/// </summary>
public sealed class BpeEncoding
{
    /// <summary>The encoding of GPT-4o and later models.</summary>
    public const string O200kBase = "o200k_base";

    /// <summary>The encoding of GPT-4 and GPT-3.5-turbo.</summary>
    public const string Cl100kBase = "cl100k_base";

    // JavaScript's \s, which the encodings' patterns were written for; .NET's differs at U+0085 and U+FEFF.
    private const string Whitespace = @"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";

    private const int MaxCachedPiece = 64;
    private const int MaxCachedPieces = 100_000;
    private const int MinCachedLine = 24;
    private const int MaxCachedLine = 16 * 1024;
    private const long MaxCachedLineChars = 4L * 1024 * 1024;

    private static readonly Lazy<BpeEncoding> O200k = new(() => Load(O200kBase));
    private static readonly Lazy<BpeEncoding> Cl100k = new(() => Load(Cl100kBase));

    private readonly Dictionary<string, int> _ranks;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly byte[][] _bytes;
    private readonly Regex _pattern;
    private readonly Dictionary<string, int> _special;
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _lines = new(StringComparer.Ordinal);
    private long _lineChars;

    private BpeEncoding(string name, Dictionary<string, int> ranks, Regex pattern, Dictionary<string, int> special)
    {
        Name = name;
        _ranks = ranks;
        _lookup = ranks.GetAlternateLookup<ReadOnlySpan<char>>();
        _pattern = pattern;
        _special = special;
        var size = Math.Max(ranks.Values.Max(), special.Count == 0 ? 0 : special.Values.Max()) + 1;
        _bytes = new byte[size][];
        foreach (var (key, rank) in ranks)
        {
            _bytes[rank] = [.. key.Select(c => (byte)c)];
        }

        foreach (var (text, rank) in special)
        {
            _bytes[rank] = Encoding.UTF8.GetBytes(text);
        }
    }

    /// <summary>The encoding's name.</summary>
    public string Name { get; }

    /// <summary>The number of ordinary tokens.</summary>
    public int Vocabulary => _ranks.Count;

    /// <summary>The encoding called <paramref name="name"/> (<c>o200k_base</c> or <c>cl100k_base</c>), loaded once.</summary>
    public static BpeEncoding Get(string name) => name switch
    {
        O200kBase => O200k.Value,
        Cl100kBase => Cl100k.Value,
        _ => throw new ArgumentException($"Unknown encoding '{name}': use {O200kBase} or {Cl100kBase}.", nameof(name)),
    };

    /// <summary>Reads an encoding from its data: a JSON header line, then <c>base64 rank</c> lines (gzip or plain).</summary>
    public static BpeEncoding Read(Stream data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var reader = new StreamReader(data, Encoding.ASCII);
        using var header = JsonDocument.Parse(reader.ReadLine() ?? throw new InvalidDataException("The encoding data is empty."));
        var name = header.RootElement.GetProperty("name").GetString()!;
        var pattern = header.RootElement.GetProperty("pat_str").GetString()!;
        var special = header.RootElement.GetProperty("special_tokens").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
        var ranks = new Dictionary<string, int>(210_000, StringComparer.Ordinal);
        Span<byte> buffer = stackalloc byte[1024];
        while (reader.ReadLine() is { } line)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !Convert.TryFromBase64Chars(line.AsSpan(0, space), buffer, out var length))
            {
                throw new InvalidDataException($"Bad line in the {name} data: '{line}'.");
            }

            ranks[Latin1(buffer[..length])] = int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture);
        }

        return new BpeEncoding(name, ranks, new Regex(Translate(pattern), RegexOptions.Compiled | RegexOptions.CultureInvariant), special);
    }

    /// <summary>The number of tokens in <paramref name="text"/> (special tokens counted as ordinary text).</summary>
    public int Count(ReadOnlySpan<char> text)
    {
        // A line break followed by a letter is always a boundary between pieces in both encodings' patterns: no
        // alternative matches a line break and then a letter, and the break's own piece does not depend on what
        // follows it. So the count is the sum of the counts of the lines cut there, and a line seen before (a
        // context is mostly the same messages each turn) is looked up instead of counted again.
        var lines = _lines.GetAlternateLookup<ReadOnlySpan<char>>();
        var count = 0;
        while (text.Length > 0)
        {
            var end = LineEnd(text);
            var line = text[..end];
            text = text[end..];
            if (line.Length < MinCachedLine || line.Length > MaxCachedLine)
            {
                count += CountPieces(line);
            }
            else if (lines.TryGetValue(line, out var known))
            {
                count += known;
            }
            else
            {
                var tokens = CountPieces(line);
                count += tokens;
                if (Interlocked.Add(ref _lineChars, line.Length) > MaxCachedLineChars)
                {
                    _lines.Clear();
                    Interlocked.Exchange(ref _lineChars, line.Length);
                }

                lines.TryAdd(line, tokens);
            }
        }

        return count;
    }

    // The length of the first line: through the first line break that a letter follows, or all of the text.
    private static int LineEnd(ReadOnlySpan<char> text)
    {
        var from = 0;
        while (true)
        {
            var at = text[from..].IndexOf('\n');
            if (at < 0)
            {
                return text.Length;
            }

            var end = from + at + 1;
            if (end < text.Length && char.IsLetter(text[end]))
            {
                return end;
            }

            if (end >= text.Length)
            {
                return text.Length;
            }

            from = end;
        }
    }

    private int CountPieces(ReadOnlySpan<char> text)
    {
        var count = 0;
        var cached = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
        byte[]? rented = null;
        Span<byte> buffer = stackalloc byte[256];
        try
        {
            foreach (var match in _pattern.EnumerateMatches(text))
            {
                var piece = text.Slice(match.Index, match.Length);
                if (cached.TryGetValue(piece, out var known))
                {
                    count += known;
                    continue;
                }

                var size = Encoding.UTF8.GetMaxByteCount(piece.Length);
                if (size > buffer.Length)
                {
                    if (rented is not null)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }

                    rented = ArrayPool<byte>.Shared.Rent(size);
                    buffer = rented;
                }

                var bytes = buffer[..Encoding.UTF8.GetBytes(piece, buffer)];
                var tokens = Rank(bytes) >= 0 ? 1 : Merge(bytes, null);
                count += tokens;
                Remember(cached, piece, tokens);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return count;
    }

    // Conversation repeats its words: a piece's count is looked up by its characters before it is encoded and merged.
    // The cache is bounded; when full it starts again, so a long-running process keeps the words in use now.
    private void Remember(ConcurrentDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> cached, ReadOnlySpan<char> piece, int tokens)
    {
        if (piece.Length > MaxCachedPiece)
        {
            return;
        }

        if (_counts.Count >= MaxCachedPieces)
        {
            _counts.Clear();
        }

        cached.TryAdd(piece, tokens);
    }

    /// <summary>The tokens of <paramref name="text"/> (special tokens encoded as ordinary text).</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<int>();
        foreach (var match in _pattern.EnumerateMatches(text))
        {
            var bytes = Encoding.UTF8.GetBytes(text.Substring(match.Index, match.Length));
            if (Rank(bytes) is var rank and >= 0)
            {
                tokens.Add(rank);
            }
            else
            {
                Merge(bytes, tokens);
            }
        }

        return tokens;
    }

    /// <summary>The text of <paramref name="tokens"/> (invalid UTF-8 sequences become U+FFFD).</summary>
    public string Decode(IEnumerable<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var bytes = new List<byte>();
        foreach (var token in tokens)
        {
            bytes.AddRange(token >= 0 && token < _bytes.Length && _bytes[token] is { } b ? b : throw new ArgumentOutOfRangeException(nameof(tokens), $"{token} is not a token of {Name}."));
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private int Rank(ReadOnlySpan<byte> bytes)
    {
        Span<char> key = bytes.Length <= 256 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            key[i] = (char)bytes[i];
        }

        return _lookup.TryGetValue(key, out var rank) ? rank : -1;
    }

    /// <summary>
    /// Merges the bytes of a piece the lowest-ranked adjacent pair first (the leftmost on ties), with a heap of
    /// candidate pairs so long pieces cost n log n, not n squared. Adds the tokens to <paramref name="tokens"/>
    /// when given; returns their number.
    /// </summary>
    private int Merge(ReadOnlySpan<byte> bytes, List<int>? tokens)
    {
        var n = bytes.Length;
        var next = new int[n + 1];
        var prev = new int[n];
        var alive = new bool[n];
        for (var i = 0; i < n; i++)
        {
            next[i] = i + 1;
            prev[i] = i - 1;
            alive[i] = true;
        }

        var heap = new PriorityQueue<(int Start, int End), (int Rank, int Start)>();
        void Push(ReadOnlySpan<byte> all, int start, int[] nextOf)
        {
            var middle = nextOf[start];
            if (middle >= n)
            {
                return;
            }

            var end = nextOf[middle];
            var rank = Rank(all[start..end]);
            if (rank >= 0)
            {
                heap.Enqueue((start, end), (rank, start));
            }
        }

        for (var i = 0; i < n - 1; i++)
        {
            Push(bytes, i, next);
        }

        var parts = n;
        while (heap.TryDequeue(out var pair, out _))
        {
            var (start, end) = pair;
            var middle = next[start];
            // Stale: the left part was merged away, or either part has grown since the pair was queued.
            if (!alive[start] || middle >= n || next[middle] != end)
            {
                continue;
            }

            alive[middle] = false;
            next[start] = end;
            if (end < n)
            {
                prev[end] = start;
            }

            parts--;
            if (prev[start] >= 0)
            {
                Push(bytes, prev[start], next);
            }

            Push(bytes, start, next);
        }

        if (tokens is not null)
        {
            for (var i = 0; i < n; i = next[i])
            {
                var rank = Rank(bytes[i..next[i]]);
                tokens.Add(rank >= 0 ? rank : throw new InvalidOperationException($"No token for a byte in {Name}: the encoding data is incomplete."));
            }
        }

        return parts;
    }

    private static BpeEncoding Load(string name)
    {
        var resource = $"Continuum.Tokens.{name}.tiktoken.gz";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The {name} data ({resource}) is not in the assembly.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        return Read(gzip);
    }

    private static string Latin1(ReadOnlySpan<byte> bytes) => string.Create(bytes.Length, bytes.ToArray(), static (chars, b) =>
    {
        for (var i = 0; i < b.Length; i++)
        {
            chars[i] = (char)b[i];
        }
    });

    /// <summary>The pattern in .NET's dialect: JavaScript's \s and \S spelled out, inside and outside classes.</summary>
    internal static string Translate(string pattern)
    {
        var result = new StringBuilder(pattern.Length * 2);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var e = pattern[++i];
                result.Append(e switch
                {
                    's' when inClass => Whitespace,
                    's' => $"[{Whitespace}]",
                    'S' when !inClass => $"[^{Whitespace}]",
                    _ => $"\\{e}",
                });
                continue;
            }

            inClass = c switch
            {
                '[' => true,
                ']' => false,
                _ => inClass,
            };
            result.Append(c);
        }

        return result.ToString();
    }
}
