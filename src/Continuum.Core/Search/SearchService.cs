using Continuum.Errors;
using Continuum.Tenancy;
using Continuum.Validation;

namespace Continuum.Search;

/// <summary>
/// Lexical search with several rankers fused. The FTS5 index (porter stemming, BM25) gives candidates; three views
/// rank them: the turn alone (<c>bm25</c>), the turn with its neighbours (<c>window</c>: an answer often spans a
/// question and its reply), and the evidence of its whole session (<c>session</c>: a session that matches many query
/// words is about the topic). Their rankings, with summaries, memories and any secondary ranker (vectors), are fused
/// by reciprocal rank. Stop words are dropped from the query; relative times ("last week") favour items of that time.
/// </summary>
public sealed class SearchService(ISearchStore store, ITenantContext tenant, TimeProvider time, IEnumerable<ISecondaryRanker> secondary) : ISearchService
{
    /// <summary>Kinds of searchable items.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["event", "summary", "memory"];

    private static readonly List<string> ScopeNames = ["events", "summaries", "memories"];

    private const int NeighborAnchors = 20;
    private const double CommonTermShare = 0.01;
    private const long MinDocumentsForPruning = 20_000;
    private const int MaxCachedTerms = 50_000;
    private static readonly TimeSpan FrequencyLifetime = TimeSpan.FromMinutes(10);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Documents, long Total, DateTimeOffset At)> _frequencies = new(StringComparer.Ordinal);
    private const int MaxQueryLength = 4096;

    /// <inheritdoc />
    public async Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = request.Query?.Trim();
        if (string.IsNullOrEmpty(query))
        {
            throw new ValidationException("query", "is required.");
        }

        if (query.Length > MaxQueryLength)
        {
            throw new ValidationException("query", $"must be at most {MaxQueryLength} characters.");
        }

        if (request.UserId is null && request.SessionId is null)
        {
            throw new ValidationException("userId", "give a userId or a sessionId: search looks at one user's (or one session's) history.");
        }

        InputValidator.OptionalIdentifier(request.UserId, "userId");
        InputValidator.OptionalIdentifier(request.SessionId, "sessionId");
        InputValidator.OptionalIdentifier(request.AgentId, "agentId");
        var kinds = request.Kinds is { Count: > 0 } k ? [.. k.Select(x => InputValidator.OneOf(x, Kinds, "kinds"))]
            : request.Scope is { Count: > 0 } sc ? [.. sc.Select(x => Kinds[ScopeNames.IndexOf(InputValidator.OneOf(x, ScopeNames, "scope"))])]
            : Kinds;
        var limit = InputValidator.Range(request.Limit ?? 10, 1, 200, "limit");
        if (request.From is { } f && request.To is { } t && t < f)
        {
            throw new ValidationException("to", "must not be before 'from'.");
        }

        var terms = QueryText.Terms(query);
        // A user-bound key searches its own user's history, whatever the request names.
        var scope = new SearchScope(Security.CallerAccess.ConfineUser(request.UserId), request.SessionId, request.From, request.To, request.AgentId, InputValidator.MetadataFilter(request.Metadata));
        var depth = Math.Max(200, limit * 4);

        // The rankers read independently, so they run at once: a search waits for the slowest, not for their sum.
        var eventRankings = terms.Count > 0 && kinds.Contains("event") ? RankEventsAsync(terms, scope, depth, cancellationToken) : Task.FromResult<List<Ranking>>([]);
        var otherRankings = terms.Count == 0 ? [] : kinds.Where(x => x != "event").Select(async kind =>
        {
            var items = await store.MatchAsync(tenant.TenantId, kind, scope, terms, limit * 2, cancellationToken).ConfigureAwait(false);
            return new Ranking(kind == "summary" ? "summary-bm25" : "memory-bm25", [.. items.Select(i => (i, i.Score))]);
        }).ToList();
        var secondaryRankings = secondary.Select(async ranker =>
        {
            var ranked = await ranker.RankAsync(tenant.TenantId, scope, query, depth, cancellationToken).ConfigureAwait(false);
            return new Ranking(ranker.Name, [.. ranked.Where(r => kinds.Contains(r.Item.Kind))]);
        }).ToList();
        await Task.WhenAll([eventRankings, .. otherRankings, .. secondaryRankings]).ConfigureAwait(false);

        var rankings = new List<(string Ranker, List<(SearchCandidate Item, double Score)> List)>();
        rankings.AddRange(eventRankings.Result.Select(r => (r.Ranker, r.List)));
        rankings.AddRange(otherRankings.Select(r => (r.Result.Ranker, r.Result.List)));
        rankings.AddRange(secondaryRankings.Select(r => r.Result).Where(r => r.List.Count > 0).Select(r => (r.Ranker, r.List)));

        if (QueryText.RelativeTime(query, time.GetUtcNow()) is { } window)
        {
            // A time phrase favours what happened then: the candidates of that window, in their BM25 order.
            var inWindow = rankings.Where(r => r.Ranker == "bm25").SelectMany(r => r.List).Where(c => c.Item.CreatedAt >= window.From && c.Item.CreatedAt <= window.To).ToList();
            if (inWindow.Count > 0)
            {
                rankings.Add(("time", inWindow));
            }
        }

        var fused = RankFusion.Fuse(rankings, limit);
        var stems = terms.Select(QueryText.Stem).ToHashSet(StringComparer.Ordinal);
        var results = new List<SearchResult>(fused.Count);
        foreach (var (item, score, views) in fused)
        {
            IReadOnlyList<SearchResult>? neighbors = null;
            if (request.IncludeNeighbors == true && item.Kind == "event" && item.SessionId is { } session && item.Seq is { } seq)
            {
                neighbors = [.. (await store.EventRangeAsync(tenant.TenantId, session, seq - 1, seq + 1, cancellationToken).ConfigureAwait(false))
                    .Where(n => n.Seq != seq).Select(n => ToResult(n, 0, [], []))];
            }

            var found = QueryText.Words(item.Content + " " + item.Name).Select(QueryText.Stem).Where(stems.Contains).Distinct(StringComparer.Ordinal).ToList();
            results.Add(ToResult(item, score, found, views) with { Neighbors = neighbors });
        }

        return new SearchResponse(results, terms, [.. rankings.Select(r => r.Ranker).Distinct(StringComparer.Ordinal)]);
    }

    private async Task<List<Ranking>> RankEventsAsync(IReadOnlyList<string> terms, SearchScope scope, int depth, CancellationToken cancellationToken)
    {
        var (informative, common) = await SplitCommonTermsAsync(terms, cancellationToken).ConfigureAwait(false);
        var events = await store.MatchAsync(tenant.TenantId, "event", scope, informative, depth, cancellationToken).ConfigureAwait(false);
        events = RankFusion.AddCommonTerms(events, common);
        var anchors = events.Where(e => e.SessionId is not null && e.Seq is not null).Take(NeighborAnchors).Select(e => (e.SessionId!, e.Seq!.Value)).ToList();
        var around = anchors.Count == 0 ? [] : await store.EventsAroundAsync(tenant.TenantId, anchors, 1, cancellationToken).ConfigureAwait(false);
        return [.. RankFusion.EventRankings(events, [.. around.Where(n => InScope(n, scope))]).Select(r => new Ranking(r.Ranker, r.List))];
    }

    private sealed record Ranking(string Ranker, List<(SearchCandidate Item, double Score)> List);

    private static bool InScope(SearchCandidate c, SearchScope scope) =>
        (scope.From is null || c.CreatedAt >= scope.From) && (scope.To is null || c.CreatedAt <= scope.To)
        && (scope.Metadata is not { Count: > 0 } m || m.All(p => c.Metadata is { ValueKind: System.Text.Json.JsonValueKind.Object } md
            && md.TryGetProperty(p.Key, out var v) && System.Text.Json.JsonElement.DeepEquals(v, p.Value)));

    // Terms in a large share of a big index (a speaker's name in a long chat) weigh little in BM25, yet scoring
    // their long posting lists is most of a search's time. They are left out of the index match, which runs on
    // the rarer terms, and their BM25 share is added to the candidates it returns. Document frequencies are
    // cached and refreshed every few minutes.
    private async Task<(IReadOnlyList<string> Informative, IReadOnlyList<(string Term, double Idf)> Common)> SplitCommonTermsAsync(IReadOnlyList<string> terms, CancellationToken cancellationToken)
    {
        if (terms.Count < 2)
        {
            return (terms, []);
        }

        var frequencies = new List<(string Term, long Documents, long Total)>(terms.Count);
        var (_, currentTotal) = await store.EventFrequencyAsync("", cancellationToken).ConfigureAwait(false);
        foreach (var term in terms)
        {
            var now = time.GetUtcNow();
            if (!_frequencies.TryGetValue(term, out var known) || now - known.At > FrequencyLifetime || known.Total < currentTotal * 0.9)
            {
                var (documents, total) = await store.EventFrequencyAsync(term, cancellationToken).ConfigureAwait(false);
                known = (documents, total, now);
                if (_frequencies.Count > MaxCachedTerms)
                {
                    _frequencies.Clear();
                }

                _frequencies[term] = known;
            }

            frequencies.Add((term, known.Documents, known.Total));
        }

        bool Common((string Term, long Documents, long Total) f) => f.Total >= MinDocumentsForPruning && f.Documents > CommonTermShare * f.Total;
        var informative = frequencies.Where(f => !Common(f)).Select(f => f.Term).ToList();
        if (informative.Count == 0)
        {
            informative.Add(frequencies.MinBy(f => f.Documents).Term);
        }

        return (informative, [.. frequencies.Where(f => !informative.Contains(f.Term))
            .Select(f => (f.Term, Math.Max(1e-6, Math.Log((f.Total - f.Documents + 0.5) / (f.Documents + 0.5)))))]);
    }

    private static SearchResult ToResult(SearchCandidate c, double score, IReadOnlyList<string> terms, IReadOnlyList<RankerView> views) => new()
    {
        Kind = c.Kind,
        Id = c.Id,
        SessionId = c.SessionId,
        UserId = c.UserId,
        AgentId = c.AgentId,
        Seq = c.Seq,
        ToSeq = c.ToSeq,
        Name = c.Name,
        Role = c.Role,
        Content = c.Content,
        CreatedAt = c.CreatedAt,
        Metadata = c.Metadata,
        Score = Math.Round(score, 6),
        Why = new SearchExplanation(terms, views),
    };
}
