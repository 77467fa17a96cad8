using Continuum.Storage;

namespace Continuum.Handoffs;

/// <summary>Handoffs, the project knowledge base and the briefing a new session reads first.</summary>
public interface IHandoffService
{
    /// <summary>Validates and stores a handoff and folds it into its project's knowledge base.</summary>
    Task<HandoffReceipt> CreateAsync(Handoff handoff, CancellationToken cancellationToken = default);

    /// <summary>The handoff; throws a not-found error when there is none.</summary>
    Task<Handoff> GetAsync(string handoffId, CancellationToken cancellationToken = default);

    /// <summary>One page of the project's handoffs in time order, optionally between two times (inclusive); pass the page's <c>Next</c> as <paramref name="cursor"/> for the next.</summary>
    Task<Page<Handoff>> ListAsync(string project, DateTimeOffset? since = null, DateTimeOffset? until = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>The project's knowledge base now, or as it was at <paramref name="asOf"/>.</summary>
    Task<KnowledgeBase> GetKnowledgeAsync(string project, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default);

    /// <summary>The Markdown briefing for a new session, within <paramref name="budget"/> tokens (default 2,000).</summary>
    Task<Briefing> GetBriefingAsync(string project, int? budget = null, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default);

    /// <summary>A draft handoff picked out of a session's events and summaries, for a person or agent to correct. Not stored.</summary>
    Task<Handoff> DraftAsync(string sessionId, string? project = null, CancellationToken cancellationToken = default);

    /// <summary>One page of the projects that have handoffs, by name (default 100, at most 1,000 a page).</summary>
    Task<Page<string>> ListProjectsAsync(int? limit = null, string? cursor = null, CancellationToken cancellationToken = default);
}

/// <summary>A briefing: Markdown within a token budget.</summary>
/// <param name="Project">The project.</param>
/// <param name="Markdown">The briefing.</param>
/// <param name="Tokens">Its size in tokens, by <paramref name="Tokenizer"/>.</param>
/// <param name="Budget">The budget it was built for.</param>
/// <param name="Tokenizer">The token counter used.</param>
/// <param name="Omitted">Items left out for the budget.</param>
/// <param name="AsOf">The time it describes.</param>
public sealed record Briefing(string Project, string Markdown, int Tokens, int Budget, string Tokenizer, int Omitted, DateTimeOffset AsOf);
