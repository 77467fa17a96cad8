using System.Text.Json;
using Continuum.Context;
using Continuum.Errors;
using Continuum.Json;
using Continuum.Sessions;
using Microsoft.AspNetCore.Http;

namespace Continuum.AspNetCore;

/// <summary>
/// The parts of a context response a client asked for with <c>?include=messages,tokens</c>: the same fields as the
/// whole response, written straight from the built context, so a client that sends only <c>messages</c> to its
/// model does not download the prompt and the recent events a second and third time.
/// </summary>
internal sealed class ContextParts : IResult
{
    /// <summary>Every part, in the order the whole response has them.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["messages", "prompt", "budget", "tokens", "carriedOver", "summaries", "memories", "entities", "topics", "recent"];

    private readonly SessionContext _context;
    private readonly HashSet<string> _parts;

    private ContextParts(SessionContext context, HashSet<string> parts)
    {
        _context = context;
        _parts = parts;
    }

    /// <summary>The parts named in <paramref name="include"/>, or null for the whole response; unknown names are a 400.</summary>
    public static HashSet<string>? Parse(string? include)
    {
        if (include is null)
        {
            return null;
        }

        var parts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in include.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var known = Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ValidationException("include", $"'{Truncate(name)}' is not a part of the context; use any of {string.Join(", ", Names)}.");
            parts.Add(known);
        }

        return parts.Count == 0
            ? throw new ValidationException("include", $"names no part; use any of {string.Join(", ", Names)}, separated by commas.")
            : parts;
    }

    /// <summary>The whole context when <paramref name="parts"/> is null, else only those parts.</summary>
    public static IResult For(SessionContext context, HashSet<string>? parts) =>
        parts is null ? TypedResults.Ok(context) : new ContextParts(context, parts);

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
        await using var _ = writer.ConfigureAwait(false);
        var options = JsonDefaults.Options;
        writer.WriteStartObject();
        foreach (var name in Names)
        {
            if (!_parts.Contains(name))
            {
                continue;
            }

            writer.WritePropertyName(name);
            switch (name)
            {
                case "messages": JsonSerializer.Serialize(writer, _context.Messages, options); break;
                case "prompt": writer.WriteStringValue(_context.Prompt); break;
                case "budget": writer.WriteNumberValue(_context.Budget); break;
                case "tokens": JsonSerializer.Serialize(writer, _context.Tokens, options); break;
                case "carriedOver": JsonSerializer.Serialize(writer, _context.CarriedOver, options); break;
                case "summaries": JsonSerializer.Serialize(writer, _context.Summaries, options); break;
                case "memories": JsonSerializer.Serialize(writer, _context.Memories, options); break;
                case "entities": JsonSerializer.Serialize(writer, _context.Entities, options); break;
                case "topics": JsonSerializer.Serialize(writer, _context.Topics, options); break;
                default: JsonSerializer.Serialize(writer, _context.Recent, options); break;
            }
        }

        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }

    private static string Truncate(string name) => name.Length <= 40 ? name : name[..40] + "…";
}
