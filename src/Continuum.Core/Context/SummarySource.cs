namespace Continuum.Context;

/// <summary>One item a summary is made from: an event, or an earlier summary when summaries stack.</summary>
/// <param name="Role">The author's role, or <c>summary</c>.</param>
/// <param name="Content">The text.</param>
/// <param name="Interface">The interface it was written on.</param>
/// <param name="Type">The event type (<c>message</c>, <c>tool_call</c>, …) or <c>summary</c>.</param>
/// <param name="Entities">Entities already extracted from the content, when known (saves extracting them again).</param>
public sealed record SummarySource(string Role, string Content, string Interface, string Type, IReadOnlyList<string>? Entities = null);
