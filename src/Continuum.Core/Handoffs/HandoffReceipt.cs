namespace Continuum.Handoffs;

/// <summary>A stored handoff and what it changed in its project's knowledge base.</summary>
/// <param name="Handoff">The handoff as stored, with its id and times.</param>
/// <param name="Decisions">The decisions it added to the log, with their ids.</param>
/// <param name="Opened">Pending work it opened.</param>
/// <param name="Closed">Pending work its achievements closed.</param>
public sealed record HandoffReceipt(Handoff Handoff, IReadOnlyList<KnowledgeDecision> Decisions, IReadOnlyList<PendingWork> Opened, IReadOnlyList<PendingWork> Closed);
