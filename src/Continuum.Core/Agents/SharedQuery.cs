namespace Continuum.Agents;

/// <summary>Which latest live entries of a namespace to find.</summary>
/// <param name="Pattern">A glob over keys (<c>*</c>, <c>?</c>).</param>
/// <param name="Tags">Entries carrying all of these tags.</param>
/// <param name="SessionId">Entries written by this session.</param>
/// <param name="Limit">At most this many entries a page (default 500, at most 5000).</param>
/// <param name="Cursor">Where to go on: the <c>next</c> of the page before.</param>
public sealed record SharedQuery(string? Pattern = null, IReadOnlyList<string>? Tags = null, string? SessionId = null, int? Limit = null, string? Cursor = null);
