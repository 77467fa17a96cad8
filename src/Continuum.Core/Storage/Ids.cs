using System.Security.Cryptography;

namespace Continuum.Storage;

/// <summary>
/// Makes ids: a short type prefix, 10 characters of millisecond time and 16 of randomness in Crockford
/// base32, so ids sort by creation time and cannot be guessed.
/// </summary>
public static class Ids
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>A new session id.</summary>
    public static string NewSessionId(DateTimeOffset now) => New("ses_", now);

    /// <summary>A new event id.</summary>
    public static string NewEventId(DateTimeOffset now) => New("evt_", now);

    /// <summary>A new user id.</summary>
    public static string NewUserId(DateTimeOffset now) => New("usr_", now);

    /// <summary>A new id with the given prefix.</summary>
    public static string New(string prefix, DateTimeOffset now)
    {
        Span<char> chars = stackalloc char[26];
        var ms = (ulong)Math.Max(0, now.ToUnixTimeMilliseconds());
        for (var i = 9; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(ms & 31)];
            ms >>= 5;
        }

        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        for (var i = 0; i < 16; i++)
        {
            chars[10 + i] = Alphabet[random[i] & 31];
        }

        return string.Concat(prefix, chars);
    }

    /// <summary>
    /// A one-time code of <paramref name="groups"/> groups of four characters, with about 20 bits of randomness
    /// per group, e.g. <c>7KQM-2XRD-HN4P</c>.
    /// </summary>
    public static string NewCode(int groups = 3)
    {
        var chars = new char[groups * 5 - 1];
        Span<byte> random = stackalloc byte[groups * 4];
        RandomNumberGenerator.Fill(random);
        var r = 0;
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = i % 5 == 4 ? '-' : Alphabet[random[r++] & 31];
        }

        return new string(chars);
    }

    /// <summary>Normalizes a code as a person may type it: case, spaces and dashes do not matter.</summary>
    public static string NormalizeCode(string code) =>
        new(code.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant)
            .Select(c => c switch { 'O' => '0', 'I' or 'L' => '1', _ => c }).ToArray());
}
