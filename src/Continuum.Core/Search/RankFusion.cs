namespace Continuum.Search;

/// <summary>
/// The ranking side of search: the three views of the event candidates (the turn alone, the turn with its
/// neighbours, the evidence of its session), the BM25 share of the common terms left out of the index match, and
/// the fusion of every ranking (reciprocal rank, or by family with dense rankings).
/// </summary>
public static class RankFusion
{
    /// <summary>The constant of reciprocal rank fusion: a ranking's item at rank r adds 1 / (k + r).</summary>
    public const int RrfK = 60;

    /// <summary>The rankings of the event candidates: <c>bm25</c>, <c>window</c> (with <paramref name="neighbors"/>) and <c>session</c>.</summary>
    public static IEnumerable<(string Ranker, List<(SearchCandidate Item, double Score)> List)> EventRankings(IReadOnlyList<SearchCandidate> events, IReadOnlyList<SearchCandidate> neighbors)
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

    // BM25 (k1 1.2, b 0.75, the speaker's name at half weight, as in the index) of the common terms in each candidate.
    /// <summary>The candidates with the BM25 share of <paramref name="common"/> terms (with their IDF) added, best first.</summary>
    public static IReadOnlyList<SearchCandidate> AddCommonTerms(IReadOnlyList<SearchCandidate> events, IReadOnlyList<(string Term, double Idf)> common)
    {
        if (common.Count == 0 || events.Count == 0)
        {
            return events;
        }

        var stems = common.Select(c => (Stem: QueryText.Stem(c.Term), c.Idf)).ToList();
        var docs = events.Select(e => (Event: e, Content: QueryText.Words(e.Content).Select(QueryText.Stem).ToList(), Name: QueryText.Words(e.Name ?? "").Select(QueryText.Stem).ToList())).ToList();
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

    /// <summary>The rankings by embedding similarity; every other ranking reads words.</summary>
    public static readonly IReadOnlySet<string> DenseRankers = new HashSet<string>(StringComparer.Ordinal) { "vector", "neighborhood" };

    /// <summary>
    /// The best <paramref name="limit"/> items of every ranking fused, each with its place in each ranking. Without
    /// dense rankings (no model), reciprocal rank fusion of all of them. With dense rankings, a score-normalized
    /// combination by family: each ranking's raw scores are scaled to 0..1 over its list (min-max), the lexical
    /// family (the several views of the same word matches) scores an item by the mean over its rankings, the dense
    /// family likewise, and the two families weigh the same. So the number of views a family has does not decide its
    /// weight, and how far ahead an item is counts, not only its rank.
    /// </summary>
    public static List<(SearchCandidate Item, double Score, List<RankerView> Views)> Fuse(List<(string Ranker, List<(SearchCandidate Item, double Score)> List)> rankings, int limit)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        var denseCount = rankings.Count(r => DenseRankers.Contains(r.Ranker));
        var lexicalCount = rankings.Count - denseCount;
        if (denseCount == 0 || lexicalCount == 0)
        {
            return [.. FuseRanks(rankings).Take(limit)];
        }

        var fused = new Dictionary<(string, long), (SearchCandidate Item, double Score, List<RankerView> Views)>();
        foreach (var (ranker, list) in rankings)
        {
            if (list.Count == 0)
            {
                continue;
            }

            var (min, max) = (list.Min(x => x.Score), list.Max(x => x.Score));
            var weight = 0.5 / (DenseRankers.Contains(ranker) ? denseCount : lexicalCount);
            for (var i = 0; i < list.Count; i++)
            {
                var (item, raw) = list[i];
                var key = (item.Kind, item.Row);
                var entry = fused.TryGetValue(key, out var e) ? e : (item, 0.0, new List<RankerView>());
                entry.Item2 += weight * (max > min ? (raw - min) / (max - min) : 1);
                entry.Item3.Add(new RankerView(ranker, i + 1, Math.Round(raw, 4)));
                fused[key] = entry;
            }
        }

        return [.. fused.Values.OrderByDescending(v => v.Score).ThenByDescending(v => v.Item.Score).Take(limit)];
    }

    private static List<(SearchCandidate Item, double Score, List<RankerView> Views)> FuseRanks(List<(string Ranker, List<(SearchCandidate Item, double Score)> List)> rankings)
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

        return [.. fused.Values.OrderByDescending(v => v.Score).ThenByDescending(v => v.Item.Score)];
    }
}
