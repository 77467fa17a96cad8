using System.Buffers.Text;
using System.Text;
using Continuum.Errors;
using Continuum.Storage;

namespace Continuum.Core.Tests.Model;

public sealed class ListCursorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static string Encoded(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void A_time_cursor_reads_back_as_the_time_and_id_it_was_made_from()
    {
        var cursor = ListCursor.After(T0, "ses_a.b");

        var read = ListCursor.Parse(cursor.ToString());

        read.ShouldBe(new ListCursor(T0.UtcTicks, "ses_a.b"));
        read!.Value.Time.ShouldBe(T0);
    }

    [Fact]
    public void A_name_cursor_keeps_any_text_key_including_dots_colons_and_non_ascii()
    {
        var name = "team/plan: v2.ünïcode 🚀";

        ListCursor.Parse(ListCursor.AfterName(name).ToString()).ShouldBe(new ListCursor(0, name));
    }

    [Fact]
    public void A_number_cursor_reads_back_as_its_number()
    {
        ListCursor.NumberOf(ListCursor.AfterNumber(42).ToString()).ShouldBe(42);
    }

    [Fact]
    public void No_cursor_is_the_start_of_the_listing()
    {
        ListCursor.Parse(null).ShouldBeNull();
        ListCursor.NumberOf(null).ShouldBe(0);
    }

    [Fact]
    public void A_cursor_is_safe_in_a_query_string_without_escaping()
    {
        var text = ListCursor.After(T0, "mem/ü+ &=?#").ToString();

        Uri.EscapeDataString(text).ShouldBe(text);
    }

    public static TheoryData<string> NotIssued() => new()
    {
        "",
        "abc!",
        "12.ses_1",
        "%%%",
        Encoded("abc"),
        Encoded(".ses_1"),
        Encoded("-5.ses_1"),
        Encoded("1x.ses_1"),
        Encoded("99999999999999999999.x"),
        Encoded($"{DateTimeOffset.MaxValue.UtcTicks + 1}.x"),
        Encoded("5.a\0b"),
        Encoded("5.line\nbreak"),
        Base64Url.EncodeToString([0x35, 0x2e, 0xff, 0xfe]),
        new string('A', ListCursor.MaxLength + 4),
    };

    [Theory]
    [MemberData(nameof(NotIssued))]
    public void Text_the_server_did_not_issue_is_a_validation_error_on_cursor(string text)
    {
        var error = Should.Throw<ValidationException>(() => ListCursor.Parse(text));

        error.Message.ShouldContain("cursor");
        Should.Throw<ValidationException>(() => ListCursor.NumberOf(text));
    }

    [Fact]
    public void A_page_read_with_one_row_more_than_its_limit_keeps_the_limit_and_points_after_its_last_item()
    {
        var rows = new List<(DateTimeOffset At, string Id)> { (T0, "ses_3"), (T0, "ses_2"), (T0.AddSeconds(-1), "ses_1") };

        var page = ListCursor.Page(rows, 2, r => ListCursor.After(r.At, r.Id));

        page.Items.Select(r => r.Id).ShouldBe(["ses_3", "ses_2"]);
        ListCursor.Parse(page.Next).ShouldBe(ListCursor.After(T0, "ses_2"));
    }

    [Fact]
    public void A_page_with_no_more_rows_than_its_limit_is_the_last()
    {
        var page = ListCursor.Page([7L, 8L], 2, ListCursor.AfterNumber);

        page.Items.ShouldBe([7L, 8L]);
        page.Next.ShouldBeNull();
    }
}
