using Continuum.Errors;
using Continuum.Model;
using Continuum.Storage;

namespace Continuum.Core.Tests.Storage;

public sealed class SessionCursorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static Session At(string id, DateTimeOffset created) => new()
    {
        Id = id,
        Interface = "cli",
        Status = SessionStatus.Active,
        CreatedAt = created,
        LastActiveAt = created,
        ExpiresAt = created.AddHours(1),
        ExpiresInSeconds = 3600,
        TokenLimit = 1000,
    };

    [Fact]
    public void A_cursor_reads_back_as_the_time_and_id_it_was_made_from()
    {
        var cursor = SessionCursor.After(At("ses_a.b", T0));

        SessionCursor.Parse(cursor.ToString()).ShouldBe(new SessionCursor(T0.UtcTicks, "ses_a.b"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData(".ses_1")]
    [InlineData("12.")]
    [InlineData("-5.ses_1")]
    [InlineData("1x.ses_1")]
    public void Text_the_server_did_not_issue_is_a_validation_error_on_cursor(string text)
    {
        Should.Throw<ValidationException>(() => SessionCursor.Parse(text)).Message.ShouldContain("cursor");
    }

    [Fact]
    public void A_page_read_with_one_row_more_than_its_limit_keeps_the_limit_and_points_after_its_last_item()
    {
        var rows = new List<Session> { At("ses_3", T0), At("ses_2", T0), At("ses_1", T0.AddSeconds(-1)) };

        var page = SessionCursor.Page(rows, limit: 2);

        page.Items.Select(s => s.Id).ShouldBe(["ses_3", "ses_2"]);
        page.Next.ShouldBe(new SessionCursor(T0.UtcTicks, "ses_2").ToString());
    }

    [Fact]
    public void A_page_with_no_more_rows_than_its_limit_is_the_last()
    {
        SessionCursor.Page([At("ses_1", T0)], limit: 1).Next.ShouldBeNull();
    }
}
