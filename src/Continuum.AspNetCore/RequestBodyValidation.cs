using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Continuum.Errors;
using Continuum.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace Continuum.AspNetCore;

/// <summary>
/// Checks the body of every request to an endpoint that takes JSON before the endpoint binds it, so that what
/// cannot be read back is refused before anything is written: the charset must be UTF-8 (else 415), the bytes
/// valid UTF-8 and well-formed JSON (else 400 <c>malformed-request</c>), every string free of lone surrogates
/// and no object naming a member twice (else 400 <c>validation</c> naming where), and a required body present
/// (else 400 <c>validation</c> naming <c>body</c>). The checked bytes are handed on to the endpoint as they came.
/// </summary>
internal sealed class RequestBodyValidation(RequestDelegate next)
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    public async Task InvokeAsync(HttpContext context)
    {
        var accepts = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>();
        if (accepts is null || accepts.RequestType is null && accepts.ContentTypes.Count == 0)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        if (!IsJson(request.ContentType))
        {
            // No body at all is checked below; any other media type is the endpoint's own 415.
            if (!string.IsNullOrEmpty(request.ContentType) || request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                await next(context).ConfigureAwait(false);
                return;
            }
        }

        // The body is read into a pooled buffer, checked there and handed on from there: no copy per request.
        var (buffer, length) = await ReadAsync(request, context.RequestAborted).ConfigureAwait(false);
        try
        {
            // No body and a body of JSON null are the same fault, whichever way the endpoint binds its body.
            var empty = length == 0 || Check(buffer.AsSpan(0, length));
            if (empty && !accepts.IsOptional)
            {
                throw new ValidationException("body", "is required: send a JSON object.");
            }

            var original = request.Body;
            using var checkedBody = new MemoryStream(buffer, 0, length, writable: false);
            request.Body = checkedBody;
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                request.Body = original;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The whole body in a rented array, sized from Content-Length when the client sent one.
    private static async Task<(byte[] Buffer, int Length)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and < 1 << 20 ? (int)request.ContentLength.Value + 1 : 4096);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    // JSON media types: application/json and any +json; a charset other than UTF-8 is refused here rather
    // than left to fail inside the body reader.
    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            throw new ContinuumException("unsupported-media-type", 415, $"The Content-Type '{contentType}' does not parse; send application/json.");
        }

        var subtype = media.SubTypeWithoutSuffix;
        var json = media.Type.Equals("application", StringComparison.OrdinalIgnoreCase)
            && (subtype.Equals("json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
        if (!json)
        {
            return false;
        }

        foreach (var parameter in media.Parameters)
        {
            if (parameter.Name.Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                var charset = HeaderUtilities.RemoveQuotes(parameter.Value);
                if (!charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ContinuumException("unsupported-media-type", 415, $"The charset '{charset}' is not supported: JSON bodies are UTF-8 (send 'application/json' or 'application/json; charset=utf-8').");
                }
            }
        }

        return true;
    }

    // True when the body is JSON null.
    private static bool Check(ReadOnlySpan<byte> body)
    {
        if (!Utf8.IsValid(body))
        {
            throw new ContinuumException("malformed-request", 400, "The body is not valid UTF-8.");
        }

        // Nearly every body is well-formed and plain: one pass without allocating says so. Anything it cannot
        // vouch for (a fault, an escaped name, a surrogate escape, a large object) takes the pass that names where.
        return IsPlain(body, out var isNull) ? isNull : CheckNamingFaults(body);
    }

    // Members compared by their raw bytes, as long as an object has at most this many.
    private const int PlainMembers = 32;

    // True when the body is well-formed JSON that needs no closer look: every member name unescaped and unique in
    // its object, no string escaping a surrogate. Valid UTF-8 was checked already, and valid UTF-8 holds no lone
    // surrogate, so only escapes can.
    private static bool IsPlain(ReadOnlySpan<byte> body, out bool isNull)
    {
        isNull = false;
        var reader = new Utf8JsonReader(body, ReaderOptions);
        // The names seen so far in each open object, as (start, length) in the body; frames[d] is where depth d's begin.
        Span<(int Start, int Length)> names = stackalloc (int, int)[128];
        Span<int> frames = stackalloc int[ReaderOptions.MaxDepth + 1];
        var used = 0;
        var depth = 0;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        frames[depth++] = used;
                        break;
                    case JsonTokenType.EndObject:
                        used = frames[--depth];
                        break;
                    case JsonTokenType.PropertyName:
                        if (reader.ValueIsEscaped || used == names.Length || used - frames[depth - 1] == PlainMembers)
                        {
                            return false;
                        }

                        var name = reader.ValueSpan;
                        var start = (int)reader.TokenStartIndex + 1;
                        for (var i = frames[depth - 1]; i < used; i++)
                        {
                            if (body.Slice(names[i].Start, names[i].Length).SequenceEqual(name))
                            {
                                return false;
                            }
                        }

                        names[used++] = (start, name.Length);
                        break;
                    case JsonTokenType.String:
                        if (reader.ValueIsEscaped && EscapesSurrogate(reader.ValueSpan))
                        {
                            return false;
                        }

                        break;
                    case JsonTokenType.Null when reader.CurrentDepth == 0:
                        isNull = true;
                        break;
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // True when the raw text of a string may escape a surrogate (\uD800 to \uDFFF); false positives only cost the closer look.
    private static bool EscapesSurrogate(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i + 3 < raw.Length; i++)
        {
            if (raw[i] == (byte)'\\' && raw[i + 1] == (byte)'u' && (raw[i + 2] | 0x20) == (byte)'d' && (raw[i + 3] | 0x20) is (>= (byte)'8' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f'))
            {
                return true;
            }
        }

        return false;
    }

    // The pass that finds what is wrong and names where.
    private static bool CheckNamingFaults(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        var path = new List<(HashSet<string>? Names, string Segment, int Index)>();
        var isNull = false;
        try
        {
            while (reader.Read())
            {
                isNull = reader.TokenType == JsonTokenType.Null && reader.CurrentDepth == 0;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        Enter(path, new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.StartArray:
                        Enter(path, null);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        path[^1] = path[^1] with { Segment = "" };
                        var name = Text(ref reader, path, "has a member name that is not well-formed text (a lone surrogate).");
                        var top = path[^1];
                        path[^1] = top with { Segment = name };
                        if (!top.Names!.Add(name))
                        {
                            throw new ValidationException(Path(path), "is named twice in the same object; each member name must be unique.");
                        }

                        break;
                    case JsonTokenType.String:
                        Next(path);
                        Text(ref reader, path, "must be well-formed text: it holds a lone surrogate.");
                        break;
                    default:
                        Next(path);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new ContinuumException("malformed-request", 400, "The body is not valid JSON: " + e.Message, e);
        }

        return isNull;
    }

    private static void Enter(List<(HashSet<string>? Names, string Segment, int Index)> path, HashSet<string>? names)
    {
        Next(path);
        path.Add((names, "", -1));
    }

    // A value inside an array moves the array's index on.
    private static void Next(List<(HashSet<string>? Names, string Segment, int Index)> path)
    {
        if (path.Count > 0 && path[^1].Names is null)
        {
            path[^1] = path[^1] with { Index = path[^1].Index + 1 };
        }
    }

    private static string Text(ref Utf8JsonReader reader, List<(HashSet<string>? Names, string Segment, int Index)> path, string problem)
    {
        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new ValidationException(Path(path), problem);
        }

        if (JsonValueCheck.HasLoneSurrogate(text))
        {
            throw new ValidationException(Path(path), problem);
        }

        return text;
    }

    private static string Path(List<(HashSet<string>? Names, string Segment, int Index)> path)
    {
        var text = new StringBuilder();
        foreach (var (names, segment, index) in path)
        {
            if (names is null)
            {
                text.Append('[').Append(index).Append(']');
            }
            else if (segment.Length > 0)
            {
                text.Append(text.Length > 0 ? "." : "").Append(segment);
            }
        }

        return text.Length > 0 ? text.ToString() : "body";
    }
}
