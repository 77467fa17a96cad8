using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Continuum.Web.Tests.Browser;

namespace Continuum.Web.Tests;

[Collection(BrowserTests.Name)]
public sealed class BrowserSmokeTests(BrowserFixture browser)
{
    [Fact]
    public async Task Chromium_reads_the_health_of_a_real_server_on_loopback()
    {
        await using var server = await ApiServer.StartAsync();
        server.Http.BaseAddress!.Host.ShouldBe("127.0.0.1");
        await using var page = await browser.OpenAsync(server.Http.BaseAddress);

        await page.GotoAsync("health");

        var health = JsonNode.Parse(await page.Page.InnerTextAsync("body"))!.AsObject();
        ((string?)health["status"]).ShouldBe("healthy");
        ((string?)health["checks"]!["store"]!["status"]).ShouldBe("healthy");
        (await page.Page.EvaluateAsync<string>("() => navigator.userAgent")).ShouldContain("Chrome");
        page.ShouldHaveNoErrors();
    }
}
