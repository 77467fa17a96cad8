using System.Text.Json;

namespace Continuum.Search;

/// <summary>What a search looks at and how many results it wants.</summary>
public sealed record SearchRequest
{
    /// <summary>The words to find (a question works).</summary>
    public string? Query { get; init; }

    /// <summary>The user whose history is searched (their events, summaries and memories).</summary>
    public string? UserId { get; init; }

    /// <summary>Only this session.</summary>
    public string? SessionId { get; init; }

    /// <summary>Only items of these kinds: <c>event</c>, <c>summary</c>, <c>memory</c> (default all).</summary>
    public IReadOnlyList<string>? Kinds { get; init; }

    /// <summary>The same as <see cref="Kinds"/> in the plural the REST contract uses: <c>events</c>, <c>summaries</c>, <c>memories</c>.</summary>
    public IReadOnlyList<string>? Scope { get; init; }

    /// <summary>Only items from this time on.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only items up to this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only sessions (and memories) of this agent.</summary>
    public string? AgentId { get; init; }

    /// <summary>Only events whose metadata has these top-level values.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Metadata { get; init; }

    /// <summary>How many results (default 10, at most 200).</summary>
    public int? Limit { get; init; }

    /// <summary>Add the turns around each hit (default false).</summary>
    public bool? IncludeNeighbors { get; init; }
}

/// <summary>A result and why it was returned.</summary>
public sealed record SearchResult
{
    /// <summary><c>event</c>, <c>summary</c> or <c>memory</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The item's id.</summary>
    public required string Id { get; init; }

    /// <summary>Its session (none for some memories).</summary>
    public string? SessionId { get; init; }

    /// <summary>The user whose item it is (null for an anonymous session's events and summaries).</summary>
    public string? UserId { get; init; }

    /// <summary>The agent whose session (or memory) it is, or null.</summary>
    public string? AgentId { get; init; }

    /// <summary>The event's seq, or the first seq a summary covers.</summary>
    public long? Seq { get; init; }

    /// <summary>The last seq a summary covers.</summary>
    public long? ToSeq { get; init; }

    /// <summary>The speaker or tool name.</summary>
    public string? Name { get; init; }

    /// <summary>The role of an event.</summary>
    public string? Role { get; init; }

    /// <summary>The text.</summary>
    public required string Content { get; init; }

    /// <summary>When it was written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The event's metadata.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>The fused score (higher is better; comparable within one search).</summary>
    public required double Score { get; init; }

    /// <summary>Why it matched.</summary>
    public required SearchExplanation Why { get; init; }

    /// <summary>The turns around an event, when asked for.</summary>
    public IReadOnlyList<SearchResult>? Neighbors { get; init; }
}

/// <summary>Why a result matched: the query words found in it and each ranker's view.</summary>
/// <param name="Terms">Query words (stemmed) found in the item.</param>
/// <param name="Rankers">Each ranker that placed it, with its rank (1 is best) and raw score.</param>
public sealed record SearchExplanation(IReadOnlyList<string> Terms, IReadOnlyList<RankerView> Rankers);

/// <summary>One ranker's view of a result.</summary>
/// <param name="Ranker"><c>bm25</c>, <c>window</c> (the turn with its neighbours), <c>session</c> (its session's evidence), <c>vector</c>.</param>
/// <param name="Rank">Its rank there (1 is best).</param>
/// <param name="Score">Its raw score there.</param>
public sealed record RankerView(string Ranker, int Rank, double Score);

/// <summary>Search results.</summary>
/// <param name="Results">Best first.</param>
/// <param name="Terms">The words searched for after stop words were dropped.</param>
/// <param name="Rankers">The rankers that were fused.</param>
public sealed record SearchResponse(IReadOnlyList<SearchResult> Results, IReadOnlyList<string> Terms, IReadOnlyList<string> Rankers);

/// <summary>A candidate from the lexical index.</summary>
public sealed record SearchCandidate
{
    /// <summary><c>event</c>, <c>summary</c> or <c>memory</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The item's storage row.</summary>
    public required long Row { get; init; }

    /// <summary>The item's id.</summary>
    public required string Id { get; init; }

    /// <summary>Its session.</summary>
    public string? SessionId { get; init; }

    /// <summary>The user whose item it is, or null.</summary>
    public string? UserId { get; init; }

    /// <summary>The agent whose session (or memory) it is, or null.</summary>
    public string? AgentId { get; init; }

    /// <summary>The event's seq, or the first covered seq.</summary>
    public long? Seq { get; init; }

    /// <summary>The last covered seq of a summary.</summary>
    public long? ToSeq { get; init; }

    /// <summary>Speaker or tool name.</summary>
    public string? Name { get; init; }

    /// <summary>The role of an event.</summary>
    public string? Role { get; init; }

    /// <summary>The text.</summary>
    public required string Content { get; init; }

    /// <summary>When it was written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Metadata of an event.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>BM25 relevance (higher is better), 0 for items fetched as neighbours.</summary>
    public double Score { get; init; }
}

/// <summary>Where a search looks.</summary>
/// <param name="UserId">The user.</param>
/// <param name="SessionId">One session.</param>
/// <param name="From">From this time.</param>
/// <param name="To">Up to this time.</param>
/// <param name="AgentId">Sessions of this agent.</param>
/// <param name="Metadata">Top-level metadata values events must have.</param>
public sealed record SearchScope(string? UserId, string? SessionId, DateTimeOffset? From, DateTimeOffset? To, string? AgentId, IReadOnlyDictionary<string, JsonElement>? Metadata);

/// <summary>The lexical index over events, summaries and memories.</summary>
public interface ISearchStore
{
    /// <summary>
    /// The best <paramref name="limit"/> items of a kind that hold any of <paramref name="terms"/> (words, lower case,
    /// as <see cref="QueryText.Terms"/> makes them), by the index's relevance; each store writes its own index query.
    /// </summary>
    Task<IReadOnlyList<SearchCandidate>> MatchAsync(string tenantId, string kind, SearchScope scope, IReadOnlyList<string> terms, int limit, CancellationToken cancellationToken);

    /// <summary>How many events (of all users) contain a term, and how many events there are: the term's global document frequency (an empty term counts no documents, cheaply).</summary>
    Task<(long Documents, long Total)> EventFrequencyAsync(string term, CancellationToken cancellationToken);

    /// <summary>The events within <paramref name="radius"/> turns of each anchor (the anchors included).</summary>
    Task<IReadOnlyList<SearchCandidate>> EventsAroundAsync(string tenantId, IReadOnlyList<(string SessionId, long Seq)> anchors, int radius, CancellationToken cancellationToken);

    /// <summary>The events of a session between two seqs (inclusive).</summary>
    Task<IReadOnlyList<SearchCandidate>> EventRangeAsync(string tenantId, string sessionId, long fromSeq, long toSeq, CancellationToken cancellationToken);
}
