using Continuum.Search;

namespace Continuum.Core.Tests.Search;

public sealed class RankFusionTests
{
    private static SearchCandidate Turn(long row) => new() { Kind = "event", Row = row, Id = $"e{row}", Content = $"turn {row}", CreatedAt = DateTimeOffset.UnixEpoch };

    private static (string, List<(SearchCandidate, double)>) Ranking(string name, params (long Row, double Score)[] items) =>
        (name, [.. items.Select(i => (Turn(i.Row), i.Score))]);

    [Fact]
    public void Without_dense_rankings_the_fusion_is_reciprocal_rank_over_every_ranking()
    {
        // Turn 1 leads two rankings, turn 2 one ranking by far: by rank, two first places beat one.
        var fused = RankFusion.Fuse([Ranking("bm25", (1, 5), (2, 4.9)), Ranking("window", (1, 6), (2, 5.9)), Ranking("session", (2, 100), (1, 0.1))], 10);

        fused.Select(f => f.Item.Row).ShouldBe([1, 2]);
        fused[0].Score.ShouldBe((2.0 / 61) + (1.0 / 62), 1e-12);
        fused[0].Views.Select(v => (v.Ranker, v.Rank)).ShouldBe([("bm25", 1), ("window", 1), ("session", 2)]);
    }

    [Fact]
    public void With_dense_rankings_each_family_weighs_half_whatever_its_number_of_views()
    {
        // Three lexical views agree narrowly on turn 1; the two dense views put turn 2 far ahead. By plain RRF the
        // three lexical first places would win; by family, the dense family's clear lead counts as much.
        List<(string, List<(SearchCandidate, double)>)> rankings =
        [
            Ranking("bm25", (1, 10), (2, 9.5), (3, 0)),
            Ranking("window", (1, 10), (2, 9.5), (3, 0)),
            Ranking("session", (1, 1), (2, 0.95), (3, 0)),
            Ranking("vector", (2, 0.9), (1, 0.3), (3, 0.2)),
            Ranking("neighborhood", (2, 0.8), (3, 0.3), (1, 0.2)),
        ];
        var fused = RankFusion.Fuse(rankings, 2);

        fused.Select(f => f.Item.Row).ShouldBe([2, 1]);
        // Turn 2: lexical (0.95 + 0.95 + 0.95) / 3, dense (1 + 1) / 2, each family half.
        fused[0].Score.ShouldBe((0.5 * 0.95) + 0.5, 1e-9);
        fused[0].Views.Select(v => v.Ranker).ShouldBe(["bm25", "window", "session", "vector", "neighborhood"]);
    }
}
