namespace Continuum.Agents;

/// <summary>Which messages of an inbox to read.</summary>
/// <param name="Type">Only this message type.</param>
/// <param name="UnreadOnly">Only messages not acknowledged yet.</param>
/// <param name="After">Only deliveries after this inbox position (the stream's cursor).</param>
/// <param name="Limit">At most this many messages a page (default 100, at most 1000).</param>
/// <param name="Cursor">Where to go on: the <c>next</c> of the page before.</param>
public sealed record InboxQuery(string? Type = null, bool UnreadOnly = false, long After = 0, int? Limit = null, string? Cursor = null);
