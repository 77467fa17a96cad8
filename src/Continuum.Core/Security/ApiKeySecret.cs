using System.Security.Cryptography;
using System.Text;

namespace Continuum.Security;

/// <summary>
/// The form of a key's secret: <c>ck_live_</c>, eight characters people see in lists (the prefix), an underscore and
/// 43 characters of base64url holding 256 random bits. Only the SHA-256 of the whole secret is stored: 256 bits
/// from <see cref="RandomNumberGenerator"/> cannot be guessed or searched, so a slow password hash would add
/// nothing but cost to every request.
/// </summary>
public static class ApiKeySecret
{
    /// <summary>What every secret starts with.</summary>
    public const string Marker = "ck_live_";

    private const string PrefixAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    private const int PrefixLength = 8;
    private const int SecretBytes = 32;
    private const int SecretChars = 43;

    /// <summary>A new secret and the prefix people see (<c>ck_live_ab12cd34</c>).</summary>
    public static (string Secret, string Prefix) New()
    {
        Span<byte> random = stackalloc byte[PrefixLength + SecretBytes];
        RandomNumberGenerator.Fill(random);
        var prefix = new StringBuilder(Marker, Marker.Length + PrefixLength);
        for (var i = 0; i < PrefixLength; i++)
        {
            prefix.Append(PrefixAlphabet[random[i] & 31]);
        }

        var body = Convert.ToBase64String(random[PrefixLength..]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var visible = prefix.ToString();
        return ($"{visible}_{body}", visible);
    }

    /// <summary>True when <paramref name="secret"/> has the form of a key (it may still be unknown).</summary>
    public static bool IsWellFormed(string? secret)
    {
        if (secret is null || secret.Length != Marker.Length + PrefixLength + 1 + SecretChars || !secret.StartsWith(Marker, StringComparison.Ordinal)
            || secret[Marker.Length + PrefixLength] != '_')
        {
            return false;
        }

        foreach (var c in secret.AsSpan(Marker.Length, PrefixLength))
        {
            if (!PrefixAlphabet.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        foreach (var c in secret.AsSpan(Marker.Length + PrefixLength + 1))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The hash stored for <paramref name="secret"/>.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
