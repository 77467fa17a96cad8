using Continuum.Sessions;

namespace Continuum.Client;

/// <summary>The body of <c>POST /api/sessions/{id}/events:batch</c>.</summary>
/// <param name="Events">The events, in order.</param>
internal sealed record EventBatchBody(IReadOnlyList<NewEvent> Events);
