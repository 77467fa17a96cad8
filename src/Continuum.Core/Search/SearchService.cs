using System.Globalization;
using System.Text;
using Continuum.Errors;
using Continuum.Services;

namespace Continuum.Search;

/// <summary>Search over a user's events, summaries and memories.</summary>
public interface ISearchService
{
    /// <summary>The best items for the query, each with why it matched.</summary>
    Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default);
}

/// <summary>Ranks items for a query by another signal than words (vectors, when a model is configured).</summary>
public interface ISecondaryRanker
{
    /// <summary>The ranker's name in explanations.</summary>
    string Name { get; }

    /// <summary>The best items for the query, best first, with their scores; empty when it cannot rank now.</summary>
    Task<IReadOnlyList<(SearchCandidate Item, double Score)>> RankAsync(string tenantId, SearchScope scope, string query, int limit, CancellationToken cancellationToken);
}

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

    private const int RrfK = 60;
    private const int NeighborAnchors = 20;
    private const double CommonTermShare = 0.01;
    private const long MinDocumentsForPruning = 20_000;
    private const int MaxCachedTerms = 50_000;
    private static readonly TimeSpan FrequencyLifetime = TimeSpan.FromMinutes(10);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Documents, long Total, DateTimeOffset At)> _frequencies = new(StringComparer.Ordinal);
    private const int MaxQueryLength = 4096;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being",
        "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further",
        "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
        "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
        "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
        "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
        "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "s", "t", "d", "ll",
        "m", "re", "ve", "don", "didn", "doesn", "isn", "wasn", "aren", "weren", "won", "also", "ever", "get", "got", "go", "goes", "went", "like", "likely",
        "kind", "kinds", "thing", "things", "way", "ways", "many", "much", "what's", "let", "us", "may", "might", "must", "shall", "yes", "yeah",
    };

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

        var terms = Terms(query);
        var scope = new SearchScope(request.UserId, request.SessionId, request.From, request.To, request.AgentId, InputValidator.MetadataFilter(request.Metadata));
        var depth = Math.Max(200, limit * 4);

        // The rankers read independently, so they run at once: a search waits for the slowest, not for their sum.
        var match = terms.Count > 0 ? Match(terms) : "";
        var eventRankings = terms.Count > 0 && kinds.Contains("event") ? RankEventsAsync(terms, scope, depth, cancellationToken) : Task.FromResult<List<Ranking>>([]);
        var otherRankings = terms.Count == 0 ? [] : kinds.Where(x => x != "event").Select(async kind =>
        {
            var items = await store.MatchAsync(tenant.TenantId, kind, scope, match, limit * 2, cancellationToken).ConfigureAwait(false);
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

        if (RelativeTime(query, time.GetUtcNow()) is { } window)
        {
            // A time phrase favours what happened then: the candidates of that window, in their BM25 order.
            var inWindow = rankings.Where(r => r.Ranker == "bm25").SelectMany(r => r.List).Where(c => c.Item.CreatedAt >= window.From && c.Item.CreatedAt <= window.To).ToList();
            if (inWindow.Count > 0)
            {
                rankings.Add(("time", inWindow));
            }
        }

        var fused = Fuse(rankings, limit);
        var stems = terms.Select(Stem).ToHashSet(StringComparer.Ordinal);
        var results = new List<SearchResult>(fused.Count);
        foreach (var (item, score, views) in fused)
        {
            IReadOnlyList<SearchResult>? neighbors = null;
            if (request.IncludeNeighbors == true && item.Kind == "event" && item.SessionId is { } session && item.Seq is { } seq)
            {
                neighbors = [.. (await store.EventRangeAsync(tenant.TenantId, session, seq - 1, seq + 1, cancellationToken).ConfigureAwait(false))
                    .Where(n => n.Seq != seq).Select(n => ToResult(n, 0, [], []))];
            }

            var found = Words(item.Content + " " + item.Name).Select(Stem).Where(stems.Contains).Distinct(StringComparer.Ordinal).ToList();
            results.Add(ToResult(item, score, found, views) with { Neighbors = neighbors });
        }

        return new SearchResponse(results, terms, [.. rankings.Select(r => r.Ranker).Distinct(StringComparer.Ordinal)]);
    }

    private async Task<List<Ranking>> RankEventsAsync(IReadOnlyList<string> terms, SearchScope scope, int depth, CancellationToken cancellationToken)
    {
        var (informative, common) = await SplitCommonTermsAsync(terms, cancellationToken).ConfigureAwait(false);
        var events = await store.MatchAsync(tenant.TenantId, "event", scope, Match(informative), depth, cancellationToken).ConfigureAwait(false);
        events = AddCommonTerms(events, common);
        var anchors = events.Where(e => e.SessionId is not null && e.Seq is not null).Take(NeighborAnchors).Select(e => (e.SessionId!, e.Seq!.Value)).ToList();
        var around = anchors.Count == 0 ? [] : await store.EventsAroundAsync(tenant.TenantId, anchors, 1, cancellationToken).ConfigureAwait(false);
        return [.. EventRankings(events, [.. around.Where(n => InScope(n, scope))]).Select(r => new Ranking(r.Ranker, r.List))];
    }

    private sealed record Ranking(string Ranker, List<(SearchCandidate Item, double Score)> List);

    /// <summary>The query's words, lower case, without stop words (all of them when only stop words are left).</summary>
    public static IReadOnlyList<string> Terms(string query)
    {
        var words = Words(query).ToList();
        var kept = words.Where(w => !StopWords.Contains(w) && (w.Length > 1 || char.IsDigit(w[0]))).Distinct(StringComparer.Ordinal).ToList();
        return kept.Count > 0 ? kept : [.. words.Distinct(StringComparer.Ordinal)];
    }

    private static IEnumerable<(string Ranker, List<(SearchCandidate Item, double Score)> List)> EventRankings(IReadOnlyList<SearchCandidate> events, IReadOnlyList<SearchCandidate> neighbors)
    {
        if (events.Count == 0)
        {
            yield break;
        }

        yield return ("bm25", [.. events.Select(e => (e, e.Score))]);

        // The turn with its neighbours: an answer often sits in the reply to the question that names the topic, and
        // that reply may share no word with the question, so the turns around the best hits are candidates too.
        var bySeq = events.Where(e => e.SessionId is not null && e.Seq is not null).ToDictionary(e => (e.SessionId!, e.Seq!.Value), e => e.Score);
        double Around(SearchCandidate e, long offset) => bySeq.TryGetValue((e.SessionId!, e.Seq!.Value + offset), out var s) ? s : 0;
        var pool = events.Concat(neighbors.Where(n => n.Seq is not null && !bySeq.ContainsKey((n.SessionId!, n.Seq!.Value))))
            .Where(e => e.SessionId is not null && e.Seq is not null)
            .DistinctBy(e => (e.SessionId, e.Seq));
        yield return ("window", [.. pool
            .Select(e => (e, e.Score + (0.5 * Math.Max(Around(e, -1), Around(e, 1))) + (0.25 * Math.Min(Around(e, -1), Around(e, 1)))))
            .Where(x => x.Item2 > 0)
            .OrderByDescending(x => x.Item2)]);

        // The evidence of the whole session: sessions that match the query in many turns are about it.
        var sessionScore = events.Where(e => e.SessionId is not null).GroupBy(e => e.SessionId!)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Score).OrderDescending().Take(3).Sum());
        var maxSession = sessionScore.Count == 0 ? 1 : Math.Max(1e-9, sessionScore.Values.Max());
        var maxTurn = Math.Max(1e-9, events.Max(e => e.Score));
        yield return ("session", [.. events
            .Select(e => (e, (0.5 * e.Score / maxTurn) + (0.5 * (e.SessionId is { } s ? sessionScore[s] / maxSession : 0))))
            .OrderByDescending(x => x.Item2)]);
    }

    private static string Match(IEnumerable<string> terms) =>
        string.Join(" OR ", terms.Select(term => "\"" + term.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

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

    // BM25 (k1 1.2, b 0.75, the speaker's name at half weight, as in the index) of the common terms in each candidate.
    private static IReadOnlyList<SearchCandidate> AddCommonTerms(IReadOnlyList<SearchCandidate> events, IReadOnlyList<(string Term, double Idf)> common)
    {
        if (common.Count == 0 || events.Count == 0)
        {
            return events;
        }

        var stems = common.Select(c => (Stem: Stem(c.Term), c.Idf)).ToList();
        var docs = events.Select(e => (Event: e, Content: Words(e.Content).Select(Stem).ToList(), Name: Words(e.Name ?? "").Select(Stem).ToList())).ToList();
        var averageLength = Math.Max(1, docs.Average(d => d.Content.Count));
        return [.. docs.Select(d =>
        {
            var extra = 0.0;
            foreach (var (stem, idf) in stems)
            {
                var tf = d.Content.Count(w => w == stem) + (0.5 * d.Name.Count(w => w == stem));
                extra += idf * tf * 2.2 / (tf + (1.2 * (0.25 + (0.75 * d.Content.Count / averageLength))));
            }

            return d.Event with { Score = d.Event.Score + extra };
        }).OrderByDescending(e => e.Score)];
    }

    private static List<(SearchCandidate Item, double Score, List<RankerView> Views)> Fuse(List<(string Ranker, List<(SearchCandidate Item, double Score)> List)> rankings, int limit)
    {
        var fused = new Dictionary<(string, long), (SearchCandidate Item, double Score, List<RankerView> Views)>();
        foreach (var (ranker, list) in rankings)
        {
            for (var i = 0; i < list.Count; i++)
            {
                var (item, raw) = list[i];
                var key = (item.Kind, item.Row);
                var entry = fused.TryGetValue(key, out var e) ? e : (item, 0.0, new List<RankerView>());
                entry.Item2 += 1.0 / (RrfK + i + 1);
                entry.Item3.Add(new RankerView(ranker, i + 1, Math.Round(raw, 4)));
                fused[key] = entry;
            }
        }

        return [.. fused.Values.OrderByDescending(v => v.Score).ThenByDescending(v => v.Item.Score).Take(limit)];
    }

    private static SearchResult ToResult(SearchCandidate c, double score, IReadOnlyList<string> terms, IReadOnlyList<RankerView> views) => new()
    {
        Kind = c.Kind,
        Id = c.Id,
        SessionId = c.SessionId,
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

    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var ch in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(ch) || (ch == '\'' && word.Length > 0))
            {
                word.Append(char.ToLowerInvariant(ch));
            }
            else if (word.Length > 0)
            {
                yield return word.ToString().Trim('\'');
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString().Trim('\'');
        }
    }

    // Light stemming for explanations: the index stems with Porter; this is enough to name the words that matched.
    private static string Stem(string word)
    {
        foreach (var suffix in (string[])["'s", "ing", "ed", "es", "s", "ly"])
        {
            if (word.Length > suffix.Length + 2 && word.EndsWith(suffix, StringComparison.Ordinal))
            {
                return word[..^suffix.Length];
            }
        }

        return word;
    }

    private static (DateTimeOffset From, DateTimeOffset To)? RelativeTime(string query, DateTimeOffset now)
    {
        var q = query.ToLowerInvariant();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        if (q.Contains("yesterday", StringComparison.Ordinal))
        {
            return (today.AddDays(-1), today);
        }

        if (q.Contains("today", StringComparison.Ordinal))
        {
            return (today, now);
        }

        if (q.Contains("last week", StringComparison.Ordinal) || q.Contains("past week", StringComparison.Ordinal))
        {
            return (today.AddDays(-7), now);
        }

        if (q.Contains("last month", StringComparison.Ordinal) || q.Contains("past month", StringComparison.Ordinal))
        {
            return (today.AddDays(-31), now);
        }

        var match = System.Text.RegularExpressions.Regex.Match(q, @"(?:last|past) (\d{1,3}) days");
        return match.Success ? (today.AddDays(-int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)), now) : null;
    }
}
