using System.Net;
using System.Text.RegularExpressions;
using Continuum.AspNetCore.Security;
using Continuum.Web.Tests.Browser;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Continuum.Web.Tests;

/// <summary>The dashboard's sign-in in real Chromium, on a real server with keys required.</summary>
[Collection(BrowserTests.Name)]
public sealed partial class DashboardLoginTests(BrowserFixture browser, KeyedDashboardSite site) : IClassFixture<KeyedDashboardSite>
{
    private Uri Address => site.Address;

    [Fact]
    public async Task A_page_redirects_to_login_where_a_wrong_key_is_401_and_a_non_admin_key_is_403()
    {
        await using var page = await browser.OpenAsync(Address);
        await page.GotoAsync("sessions");
        page.Page.Url.ShouldEndWith("/login?return=%2Fsessions");
        await Expect(page.Page.Locator("h1")).ToHaveTextAsync("Sign in");
        await page.ScreenshotAsync("login");

        var wrong = "ck_live_abcdefgh_" + new string('A', 43);
        (await SubmitAsync(page, wrong)).ShouldBe(401);
        await Expect(page.Page.Locator("#login-error")).ToContainTextAsync("not a valid API key");
        (await page.Page.ContentAsync()).ShouldNotContain(wrong);

        var reader = await site.NewKeyAsync("read,write");
        (await SubmitAsync(page, reader)).ShouldBe(403);
        await Expect(page.Page.Locator("#login-error")).ToContainTextAsync("admin scope");
        (await page.Page.ContentAsync()).ShouldNotContain(reader);

        var bound = await site.NewKeyAsync("read,write,admin", site.Seed.UserId);
        (await SubmitAsync(page, bound)).ShouldBe(403);
        await Expect(page.Page.Locator("#login-error")).ToContainTextAsync("unbound admin key");

        (await page.Page.Context.CookiesAsync()).Where(c => c.Name == SignInCookie.Name).ShouldBeEmpty();
        await page.GotoAsync("users");
        page.Page.Url.ShouldContain("/login?return=");
    }

    [Fact]
    public async Task An_admin_key_signs_in_every_page_renders_and_updates_live_and_signing_out_ends_it()
    {
        var admin = await site.NewKeyAsync("read,write,admin");
        await using var page = await browser.OpenAsync(Address);
        await page.GotoAsync($"sessions/{site.Seed.Cli}");
        (await SubmitAsync(page, admin)).ShouldBe(200);
        page.Page.Url.ShouldEndWith($"/sessions/{site.Seed.Cli}", Case.Sensitive, "back to the page asked for");

        var cookie = (await page.Page.Context.CookiesAsync()).Single(c => c.Name == SignInCookie.Name);
        cookie.HttpOnly.ShouldBeTrue();
        cookie.SameSite.ShouldBe(SameSiteAttribute.Strict);
        (await page.Page.EvaluateAsync<string>("() => document.cookie")).ShouldNotContain(SignInCookie.Name);
        (await page.Page.ContentAsync()).ShouldNotContain(admin);

        // The conversation follows the WebSocket stream on the cookie.
        await Expect(page.Page.Locator("[data-live-status]")).ToHaveTextAsync("live");
        await site.Server.AppendAsync(site.Seed.Cli, "Signed-in live update.", "assistant");
        await Expect(page.Page.Locator("ol.events li.event", new() { HasText = "Signed-in live update." })).ToBeVisibleAsync(new() { Timeout = 1000 });

        foreach (var (name, path, shows) in site.Seed.Pages)
        {
            await page.GotoAsync(path);
            page.Page.Url.ShouldNotContain("/login", Case.Sensitive, name);
            await Expect(page.Page.Locator("main")).ToContainTextAsync(shows);
        }

        // Other pages follow /dashboard/changes and re-read themselves on the cookie.
        await page.GotoAsync("agents");
        await Expect(page.Page.Locator("[data-live-status]")).ToHaveTextAsync("live");
        var reply = await site.Server.SendAsync(HttpMethod.Patch, $"api/agents/{site.Seed.Planner}", new { status = "working", currentTask = "planning behind a key" });
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        await Expect(page.Page.Locator("main")).ToContainTextAsync("planning behind a key");

        // A write the page makes through the API (a same-origin fetch) goes through on the cookie.
        await page.GotoAsync($"users/{site.Seed.UserId}");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Issue a link code" }).ClickAsync();
        await Expect(page.Page.Locator("#link-code")).ToHaveTextAsync(LinkCode());
        page.ShouldHaveNoErrors();

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.Page.Locator("h1")).ToHaveTextAsync("Sign in");
        (await page.Page.Context.CookiesAsync()).Where(c => c.Name == SignInCookie.Name).ShouldBeEmpty();
        await page.GotoAsync("agents");
        page.Page.Url.ShouldEndWith("/login?return=%2Fagents");
    }

    [Fact]
    public async Task The_api_answers_401_problems_without_a_key_and_takes_the_cookie_for_a_write_only_from_the_same_origin()
    {
        var admin = await site.NewKeyAsync("read,write,admin");
        using var http = new HttpClient { BaseAddress = Address };

        foreach (var path in new[] { "api/sessions", "sessions", "" })
        {
            using var bare = await http.GetAsync(path);
            bare.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
            bare.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        }

        (await SendAsync(http, HttpMethod.Get, "api/sessions", admin)).ShouldBe(HttpStatusCode.OK);
        var append = $"api/sessions/{site.Seed.Fork}/events";
        (await SendAsync(http, HttpMethod.Post, append, admin)).ShouldBe(HttpStatusCode.Unauthorized, "no sign of the origin");
        (await SendAsync(http, HttpMethod.Post, append, admin, ("Origin", "http://evil.example"))).ShouldBe(HttpStatusCode.Unauthorized);
        (await SendAsync(http, HttpMethod.Post, append, admin, ("Sec-Fetch-Site", "cross-site"), ("Origin", Address.GetLeftPart(UriPartial.Authority)))).ShouldBe(HttpStatusCode.Unauthorized);
        (await SendAsync(http, HttpMethod.Post, append, admin, ("Sec-Fetch-Site", "same-origin"))).ShouldBe(HttpStatusCode.Created);
        (await SendAsync(http, HttpMethod.Post, append, admin, ("Origin", Address.GetLeftPart(UriPartial.Authority)))).ShouldBe(HttpStatusCode.Created);
        (await SendAsync(http, HttpMethod.Post, "logout", admin, ("Sec-Fetch-Site", "cross-site"))).ShouldBe(HttpStatusCode.Forbidden);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, HttpMethod method, string path, string secret, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", $"{SignInCookie.Name}={secret}");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        if (method == HttpMethod.Post)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(new { role = "user", content = "cookie write" });
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Types <paramref name="secret"/> into the sign-in form, submits it and returns the status of the page answered.</summary>
    private static async Task<int> SubmitAsync(BrowserPage page, string secret)
    {
        await page.Page.GetByLabel("Admin API key").FillAsync(secret);
        var response = await page.Page.RunAndWaitForResponseAsync(
            () => page.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
            r => r.Request.IsNavigationRequest && r.Request.Method == "POST");
        if (response.Status is 302 or 303)
        {
            await page.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            return 200;
        }

        await page.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        return response.Status;
    }

    [GeneratedRegex(@"\S{4,}")]
    private static partial Regex LinkCode();
}
