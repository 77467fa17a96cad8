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

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        // No body and a body of JSON null are the same fault, whichever way the endpoint binds its body.
        var empty = buffer.Length == 0 || Check(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        if (empty && !accepts.IsOptional)
        {
            throw new ValidationException("body", "is required: send a JSON object.");
        }

        buffer.Position = 0;
        var original = request.Body;
        request.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            request.Body = original;
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
