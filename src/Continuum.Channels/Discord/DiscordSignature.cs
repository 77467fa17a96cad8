using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Continuum.Channels.Discord;

/// <summary>
/// Discord signs every interaction: <c>X-Signature-Ed25519</c> is the Ed25519 signature, by the application's key,
/// of <c>X-Signature-Timestamp</c> followed by the raw body. Anything that does not verify is not from Discord.
/// </summary>
internal sealed class DiscordSignature(string publicKeyHex)
{
    private readonly Ed25519PublicKeyParameters _key = new(Convert.FromHexString(publicKeyHex.Trim()));

    /// <summary>True when <paramref name="signatureHex"/> is the key's signature of the timestamp and body.</summary>
    public bool Verify(string? signatureHex, string? timestamp, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(timestamp) || signatureHex is not { Length: 128 } || !signatureHex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        var signer = new Ed25519Signer();
        signer.Init(false, _key);
        var stamp = System.Text.Encoding.UTF8.GetBytes(timestamp);
        signer.BlockUpdate(stamp, 0, stamp.Length);
        signer.BlockUpdate(body);
        return signer.VerifySignature(Convert.FromHexString(signatureHex));
    }
}
