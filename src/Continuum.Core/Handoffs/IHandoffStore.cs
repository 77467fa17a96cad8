using Continuum.Storage;

namespace Continuum.Handoffs;

/// <summary>Handoffs and each project's knowledge base, updated together.</summary>
public interface IHandoffStore
{
    /// <summary>
    /// Stores the handoff and folds it into its project's knowledge base in one transaction: decisions get the
    /// next ids, insights and lessons are kept once, next steps open pending work, achievements close the pending
    /// work they match (<paramref name="achieves"/> decides), architecture and code entries are recorded.
    /// Concurrent handoffs into one project are serialized, so none is lost.
    /// </summary>
    Task<HandoffReceipt> AddAsync(string tenantId, Handoff handoff, Func<string, string, bool> achieves, CancellationToken cancellationToken);

    /// <summary>The handoff, or null.</summary>
    Task<Handoff?> GetAsync(string tenantId, string handoffId, CancellationToken cancellationToken);

    /// <summary>
    /// The project's handoffs in time order (by end time, else creation time, then id), optionally between two times
    /// (inclusive), starting after <paramref name="after"/>.
    /// </summary>
    Task<IReadOnlyList<Handoff>> ListAsync(string tenantId, string project, DateTimeOffset? since, DateTimeOffset? until, int limit, ListCursor? after, CancellationToken cancellationToken);

    /// <summary>
    /// The project's knowledge base as it was at <paramref name="asOf"/>: every item, oldest first; or, with
    /// <paramref name="top"/>, at most that many of each part, most important first (newest decisions, open work
    /// by priority then age, recently done work, most mentioned insights, latest files), with the totals in
    /// <see cref="KnowledgeBase.Counts"/>.
    /// </summary>
    Task<KnowledgeBase> GetKnowledgeAsync(string tenantId, string project, DateTimeOffset asOf, int? top, CancellationToken cancellationToken);

    /// <summary>The project's last handoff at or before <paramref name="asOf"/>, or null.</summary>
    Task<Handoff?> GetLastAsync(string tenantId, string project, DateTimeOffset asOf, CancellationToken cancellationToken);

    /// <summary>The projects that have handoffs, by name, at most <paramref name="limit"/> after the name <paramref name="after"/>.</summary>
    Task<IReadOnlyList<string>> ListProjectsAsync(string tenantId, int limit, string? after, CancellationToken cancellationToken);
}
