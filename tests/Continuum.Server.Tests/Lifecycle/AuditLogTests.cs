using System.Net;
using Continuum.Security;
using Continuum.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Server.Tests.Lifecycle;

public sealed class AuditLogTests
{
    [Fact]
    public async Task The_audit_log_lists_records_newest_first_page_by_page_with_their_counts()
    {
        await using var server = await ApiServer.StartAsync();
        var audit = server.Services.GetRequiredService<IAuditLog>();
        var start = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            await audit.RecordAsync(new AuditEntry("default", "local", i % 2 == 0 ? "key.created" : "user.forgotten", $"usr_{i}",
                new Dictionary<string, long> { ["events"] = i * 100, ["sessions"] = i }, start.AddMinutes(i)), CancellationToken.None);
        }

        await audit.RecordAsync(new AuditEntry("other-tenant", "local", "import", null, new Dictionary<string, long>(), start.AddHours(1)), CancellationToken.None);

        var seen = new List<System.Text.Json.Nodes.JsonObject>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await server.GetOkAsync("api/audit?limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page["entries"]!.AsArray().Select(e => e!.AsObject()));
            cursor = (string?)page["next"];
            pages++;
        }
        while (cursor is not null);

        pages.ShouldBe(3);
        seen.Select(e => (string)e["target"]!).ShouldBe(["usr_4", "usr_3", "usr_2", "usr_1", "usr_0"]);
        seen.ShouldAllBe(e => ((string)e["id"]!).StartsWith("aud_") && (string)e["tenantId"]! == "default" && (string)e["actor"]! == "local");
        ((string)seen[1]["action"]!).ShouldBe("user.forgotten");
        ((long)seen[1]["counts"]!["events"]!).ShouldBe(300);
        ((long)seen[1]["counts"]!["sessions"]!).ShouldBe(3);
        DateTimeOffset.Parse((string)seen[0]["at"]!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(start.AddMinutes(4));
    }

    [Fact]
    public async Task A_bad_cursor_or_limit_on_the_audit_log_is_a_400()
    {
        await using var server = await ApiServer.StartAsync();

        (await server.GetAsync("api/audit?cursor=not-a-cursor")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/audit?limit=0")).ShouldBeProblem(HttpStatusCode.BadRequest);
        (await server.GetAsync("api/audit?limit=1001")).ShouldBeProblem(HttpStatusCode.BadRequest);
        var empty = await server.GetOkAsync("api/audit");
        empty["entries"]!.AsArray().Count.ShouldBe(0);
        empty["next"].ShouldBeNull();
    }
}
