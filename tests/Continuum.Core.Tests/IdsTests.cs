using System.Text.RegularExpressions;
using Continuum.Storage;

namespace Continuum.Core.Tests;

public sealed partial class IdsTests
{
    private static readonly DateTimeOffset Nine = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    [GeneratedRegex("^[0-9A-HJKMNP-TV-Z]{26}$")]
    private static partial Regex CrockfordBody();

    [GeneratedRegex("^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")]
    private static partial Regex ThreeGroupCode();

    [Fact]
    public void Each_kind_of_id_has_its_prefix_and_26_crockford_characters()
    {
        var ids = new (string Id, string Prefix)[]
        {
            (Ids.NewSessionId(Nine), "ses_"),
            (Ids.NewEventId(Nine), "evt_"),
            (Ids.NewUserId(Nine), "usr_"),
            (Ids.New("sum_", Nine), "sum_"),
        };

        foreach (var (id, prefix) in ids)
        {
            id.ShouldStartWith(prefix);
            id.Length.ShouldBe(prefix.Length + 26);
            CrockfordBody().IsMatch(id[prefix.Length..]).ShouldBeTrue(id);
        }
    }

    [Fact]
    public void Ids_sort_by_the_time_they_were_made()
    {
        var times = Enumerable.Range(0, 50).Select(i => Nine.AddMilliseconds(i * 37).AddDays(i)).ToList();
        var ids = times.Select(Ids.NewEventId).ToList();

        ids.OrderBy(id => id, StringComparer.Ordinal).ShouldBe(ids);
    }

    [Fact]
    public void Ids_made_in_the_same_millisecond_share_the_time_part_and_differ_in_the_random_part()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => Ids.NewSessionId(Nine)).ToList();

        ids.Select(id => id[4..14]).Distinct().Count().ShouldBe(1);
        ids.Distinct().Count().ShouldBe(ids.Count);
    }

    [Fact]
    public void The_time_part_encodes_milliseconds_since_the_unix_epoch()
    {
        Ids.NewUserId(DateTimeOffset.UnixEpoch)[4..14].ShouldBe("0000000000");
        Ids.NewUserId(DateTimeOffset.UnixEpoch.AddMilliseconds(33))[4..14].ShouldBe("0000000011");
    }

    [Fact]
    public void A_code_is_three_dashed_groups_of_four_unambiguous_characters()
    {
        for (var i = 0; i < 200; i++)
        {
            var code = Ids.NewCode();
            ThreeGroupCode().IsMatch(code).ShouldBeTrue(code);
            code.ShouldNotContain("I");
            code.ShouldNotContain("L");
            code.ShouldNotContain("O");
            code.ShouldNotContain("U");
        }
    }

    [Fact]
    public void The_number_of_groups_of_a_code_can_be_chosen()
    {
        var code = Ids.NewCode(groups: 2);

        code.Length.ShouldBe(9);
        code[4].ShouldBe('-');
        code.Split('-').ShouldAllBe(g => g.Length == 4);
    }

    [Fact]
    public void Codes_do_not_repeat()
    {
        var codes = Enumerable.Range(0, 20_000).Select(_ => Ids.NewCode()).ToList();

        codes.Distinct(StringComparer.Ordinal).Count().ShouldBe(codes.Count);
    }

    [Theory]
    [InlineData("7KQM-2XRD-HN4P")]
    [InlineData("7kqm-2xrd-hn4p")]
    [InlineData("7KQM2XRDHN4P")]
    [InlineData(" 7kqm 2xrd hn4p ")]
    [InlineData("7KQM--2XRD--HN4P")]
    public void NormalizeCode_ignores_case_spaces_and_dashes(string typed)
    {
        Ids.NormalizeCode(typed).ShouldBe("7KQM2XRDHN4P");
    }

    [Theory]
    [InlineData("O0O0-oooo", "00000000")]
    [InlineData("IL1i-lLiI", "11111111")]
    public void NormalizeCode_reads_letters_that_look_like_digits_as_the_digits(string typed, string expected)
    {
        Ids.NormalizeCode(typed).ShouldBe(expected);
    }

    [Fact]
    public void A_code_typed_back_with_confusable_letters_normalizes_to_the_issued_code()
    {
        for (var i = 0; i < 100; i++)
        {
            var code = Ids.NewCode();
            var typed = code.ToLowerInvariant().Replace('0', 'o').Replace('1', 'l').Replace("-", " ", StringComparison.Ordinal);

            Ids.NormalizeCode(typed).ShouldBe(Ids.NormalizeCode(code));
            Ids.NormalizeCode(code).ShouldBe(code.Replace("-", "", StringComparison.Ordinal));
        }
    }
}
