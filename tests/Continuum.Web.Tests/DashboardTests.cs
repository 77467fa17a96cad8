using Continuum.Web.Tests.Browser;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Continuum.Web.Tests;

/// <summary>The dashboard in real Chromium over a real server holding <see cref="DashboardSeed"/>.</summary>
[Collection(BrowserTests.Name)]
public sealed class DashboardTests(BrowserFixture browser, DashboardSite site) : IClassFixture<DashboardSite>
{
    private Uri Address => site.Address;

    [Fact]
    public async Task Every_page_renders_the_seeded_data_with_no_console_error_and_is_screenshotted()
    {
        foreach (var (name, path, shows) in site.Seed.Pages)
        {
            await using var page = await browser.OpenAsync(Address);
            await page.GotoAsync(path);
            await Expect(page.Page.Locator("main")).ToContainTextAsync(shows);
            await Expect(page.Page.Locator("h1")).ToBeVisibleAsync();
            await page.ScreenshotAsync(name);
            page.ShouldHaveNoErrors();
        }
    }

    [Fact]
    public async Task The_conversation_reads_as_one_thread_across_telegram_web_and_cli()
    {
        await using var page = await browser.OpenAsync(Address);
        await page.GotoAsync($"sessions/{site.Seed.Cli}");

        var badges = await page.Page.Locator("ol.events li.event .badge").AllInnerTextsAsync();
        badges.Distinct().ShouldBe(["telegram", "web", "cli"]);
        var texts = (await page.Page.Locator("ol.events li.event .content").AllInnerTextsAsync()).ToList();
        texts.ShouldContain("The GPU on node gpu-3 reads 82C under load.");
        texts.ShouldContain("I replaced the fan on gpu-3; it now reads 61C.");
        texts.IndexOf("The GPU on node gpu-3 reads 82C under load.").ShouldBeLessThan(texts.IndexOf("What did we find about gpu-3?"));

        // Tool calls and results are folded until opened.
        var tool = page.Page.Locator("ol.events li.type-tool_call details");
        (await tool.GetAttributeAsync("open")).ShouldBeNull();
        await Expect(tool.Locator("summary")).ToHaveTextAsync("tool call: read_sensor");
        page.ShouldHaveNoErrors();
    }

    [Fact]
    public async Task The_link_graph_shows_the_continuations_and_the_fork_as_links()
    {
        await using var page = await browser.OpenAsync(Address);
        await page.GotoAsync($"sessions/{site.Seed.Web}");

        var graph = page.Page.Locator("section[aria-labelledby=links] svg");
        await Expect(graph.Locator($"a[href='sessions/{site.Seed.Telegram}']")).ToHaveCountAsync(1);
        await Expect(graph.Locator($"a[href='sessions/{site.Seed.Cli}']")).ToHaveCountAsync(1);
        await Expect(graph.Locator($"a[href='sessions/{site.Seed.Fork}']")).ToHaveCountAsync(1);
        await Expect(graph).ToContainTextAsync("fork at #1");
        page.ShouldHaveNoErrors();
    }

    [Fact]
    public async Task The_link_graph_shows_whole_ids_in_a_readable_size_at_390_pixels()
    {
        await using var page = await browser.OpenAsync(Address, 390, 844);
        await page.GotoAsync($"sessions/{site.Seed.Web}");
        var labels = await page.Page.EvaluateAsync<GraphLabel[]>(
            """
            () => {
              const svg = document.querySelector("section[aria-labelledby=links] svg").getBoundingClientRect();
              return [...document.querySelectorAll("section[aria-labelledby=links] svg text")].map(t => {
                const r = t.getBoundingClientRect();
                return { text: t.textContent, height: r.height, inside: r.left >= svg.left - 0.5 && r.right <= svg.right + 0.5 };
              });
            }
            """);
        string[] ids = [site.Seed.Telegram, site.Seed.Cli, site.Seed.Fork];
        foreach (var id in ids)
        {
            labels.Select(l => l.Text).ShouldContain(id, "every linked session's id is shown whole");
        }

        foreach (var label in labels)
        {
            label.Inside.ShouldBeTrue($"'{label.Text}' is cut off by the graph's edge");
            label.Height.ShouldBeGreaterThanOrEqualTo(12, $"'{label.Text}' is drawn {label.Height:F1} px high");
        }

        await page.ScreenshotAsync("link-graph-narrow");
    }

    private sealed class GraphLabel
    {
        public string Text { get; set; } = "";

        public double Height { get; set; }

        public bool Inside { get; set; }
    }

    [Fact]
    public async Task The_sessions_search_lists_the_users_sessions_holding_every_word_with_links_to_the_messages()
    {
        await using var page = await browser.OpenAsync(Address);
        await page.GotoAsync($"sessions?user={site.Seed.UserId}&q=fan+61C");

        // The web session said it, and the fork made at its first message holds it too; the Telegram thread does not.
        var matches = page.Page.Locator("section[aria-labelledby=hits] ol.matches > li");
        var sessions = await matches.EvaluateAllAsync<string[]>("items => items.map(i => i.querySelector('a').getAttribute('href'))");
        sessions.Order().ShouldBe(new[] { $"sessions/{site.Seed.Web}", $"sessions/{site.Seed.Fork}" }.Order());
        var web = matches.Filter(new() { Has = page.Page.Locator($"a[href='sessions/{site.Seed.Web}']") });
        await Expect(web).ToContainTextAsync("I replaced the fan on gpu-3; it now reads 61C.");
        await web.Locator($"a[href^='sessions/{site.Seed.Web}#seq-']").ClickAsync();
        await Expect(page.Page.Locator("ol.events li.event:target")).ToContainTextAsync("I replaced the fan on gpu-3");

        await page.GotoAsync($"sessions?user={site.Seed.UserId}&q=fan+volcano");
        await Expect(page.Page.Locator("section[aria-labelledby=hits]")).ToContainTextAsync("No match");
        page.ShouldHaveNoErrors();
    }

    [Fact]
    public async Task The_context_preview_shows_what_the_api_would_send_as_bars_per_part()
    {
        var context = await site.Server.GetOkAsync($"api/sessions/{site.Seed.Cli}/context?budget=500");
        await using var page = await browser.OpenAsync(Address);
        await page.GotoAsync($"sessions/{site.Seed.Cli}?budget=500");

        var preview = page.Page.Locator("section[aria-labelledby=preview]");
        await Expect(preview).ToContainTextAsync($"{(int)context["tokens"]!["total"]!:N0} of 500 tokens");
        await Expect(preview.Locator(".legend")).ToContainTextAsync($"carried over {(int)context["tokens"]!["carriedOver"]!:N0}");
        await Expect(preview.Locator(".legend")).ToContainTextAsync($"recent messages {(int)context["tokens"]!["recent"]!:N0}");
        (await preview.Locator(".bar span").CountAsync()).ShouldBeGreaterThan(0);
        page.ShouldHaveNoErrors();
    }

    [Fact]
    public async Task An_event_appended_through_the_api_appears_in_the_open_conversation_within_a_second()
    {
        await using var page = await browser.OpenAsync(Address);
        await page.GotoAsync($"sessions/{site.Seed.Cli}");
        await Expect(page.Page.Locator("[data-live-status]")).ToHaveTextAsync("live");

        await site.Server.AppendAsync(site.Seed.Cli, "Fan speed logging is in place.", "assistant");

        var appended = page.Page.Locator("ol.events li.event", new() { HasText = "Fan speed logging is in place." });
        await Expect(appended).ToBeVisibleAsync(new() { Timeout = 1000 });
        await Expect(appended.Locator(".badge")).ToHaveTextAsync("cli");
        page.ShouldHaveNoErrors();
    }

    [Fact]
    public async Task An_agent_status_change_appears_on_the_open_agents_page_without_a_reload()
    {
        await using var page = await browser.OpenAsync(Address);
        await page.GotoAsync("agents");
        await Expect(page.Page.Locator("[data-live-status]")).ToHaveTextAsync("live");
        await page.Page.EvaluateAsync("() => { window.loadedOnce = true; }");

        var reply = await site.Server.SendAsync(HttpMethod.Patch, $"api/agents/{site.Seed.Coder}", new { status = "blocked", currentTask = "waiting for a sensor" });
        reply.Status.ShouldBe(System.Net.HttpStatusCode.OK, reply.Text);

        await Expect(page.Page.Locator("main")).ToContainTextAsync("waiting for a sensor");
        (await page.Page.EvaluateAsync<bool>("() => window.loadedOnce === true")).ShouldBeTrue("the page was not reloaded");
        page.ShouldHaveNoErrors();
    }

    [Fact]
    public async Task Forgetting_a_user_asks_first_and_erases_them_only_when_confirmed()
    {
        var session = await site.Server.OpenSessionAsync("discord", "forget-me-" + Guid.NewGuid().ToString("N"));
        var userId = (string)session["userId"]!;
        await site.Server.AppendAsync((string)session["id"]!, "Please forget me.");
        await using var page = await browser.OpenAsync(Address);
        await page.GotoAsync($"users/{userId}");
        var forget = page.Page.GetByRole(AriaRole.Button, new() { Name = "Forget this user" });

        page.Page.Dialog += DismissOnce;
        await forget.ClickAsync();
        await Expect(page.Page.Locator("#forget-result")).ToHaveTextAsync("");
        (await site.Server.GetAsync($"api/users/{userId}")).Status.ShouldBe(System.Net.HttpStatusCode.OK);

        page.Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await forget.ClickAsync();
        await Expect(page.Page.Locator("#forget-result")).ToContainTextAsync("done");
        (await site.Server.GetAsync($"api/users/{userId}")).Status.ShouldBe(System.Net.HttpStatusCode.NotFound);
        page.ShouldHaveNoErrors();

        async void DismissOnce(object? sender, IDialog dialog)
        {
            page.Page.Dialog -= DismissOnce;
            await dialog.DismissAsync();
        }
    }

    [Fact]
    public async Task The_export_button_downloads_the_users_records_as_json_lines()
    {
        await using var page = await browser.OpenAsync(Address);
        await page.GotoAsync($"users/{site.Seed.UserId}");
        var download = await page.Page.RunAndWaitForDownloadAsync(() => page.Page.GetByRole(AriaRole.Link, new() { Name = "Export (JSON Lines)" }).ClickAsync());
        download.SuggestedFilename.ShouldBe($"{site.Seed.UserId}.jsonl");
        var file = Path.Combine(Path.GetTempPath(), "continuum-export-" + Guid.NewGuid().ToString("N") + ".jsonl");
        try
        {
            await download.SaveAsAsync(file);
            var lines = (await File.ReadAllLinesAsync(file)).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject()).ToList();
            ((string)lines[0]["scope"]!).ShouldBe("user");
            ((string)lines[0]["id"]!).ShouldBe(site.Seed.UserId);
            var sessions = lines.Where(l => (string?)l["kind"] == "sessions").Select(l => (string)l["row"]!["id"]!).ToList();
            sessions.ShouldContain(site.Seed.Telegram);
            sessions.ShouldContain(site.Seed.Cli);
            lines.Where(l => (string?)l["kind"] == "events").Select(l => (string?)l["row"]!["content"]).ShouldContain("The GPU on node gpu-3 reads 82C under load.");
            lines.Where(l => (string?)l["kind"] == "memories").Select(l => (string?)l["row"]!["content"]).ShouldContain("gpu-3 reads 61C under load after the fan fix");
        }
        finally
        {
            File.Delete(file);
        }

        page.ShouldHaveNoErrors();
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(390)]
    public async Task No_page_overflows_horizontally(int width)
    {
        foreach (var (name, path, _) in site.Seed.Pages)
        {
            await using var page = await browser.OpenAsync(Address, width, 844);
            await page.GotoAsync(path);
            await page.ShouldNotOverflowHorizontallyAsync();
            if (width < 500)
            {
                await page.ScreenshotAsync(name + "-narrow");
            }
        }
    }

    [Fact]
    public async Task Every_control_is_reachable_by_keyboard_and_labelled()
    {
        foreach (var (name, path, _) in site.Seed.Pages)
        {
            await using var page = await browser.OpenAsync(Address);
            await page.GotoAsync(path);

            var axe = await page.Page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag21a"] } });
            axe.Violations.ShouldBeEmpty($"{name}: " + string.Join("; ", axe.Violations.Select(v => $"{v.Id}: {string.Join(", ", v.Nodes.Select(n => n.Html))}")));

            var controls = await page.Page.EvaluateAsync<int>(
                """
                () => {
                  const all = [...document.querySelectorAll("a[href], button, input, select, textarea, summary")].filter(e => e.checkVisibility());
                  all.forEach((e, i) => e.setAttribute("data-kbd", String(i)));
                  return all.length;
                }
                """);
            controls.ShouldBeGreaterThan(0);
            var reached = new HashSet<string>();
            // Scrollable regions take a Tab stop of their own in Chromium, so allow more presses than controls.
            for (var press = 0; press < (controls * 2) + 10 && reached.Count < controls; press++)
            {
                await page.Page.Keyboard.PressAsync("Tab");
                var index = await page.Page.EvaluateAsync<string?>("() => document.activeElement?.getAttribute('data-kbd') ?? null");
                if (index is not null)
                {
                    reached.Add(index);
                }
            }

            var missed = await page.Page.EvaluateAsync<string[]>(
                "reached => [...document.querySelectorAll('[data-kbd]')].filter(e => !reached.includes(e.getAttribute('data-kbd'))).map(e => e.outerHTML.slice(0, 120))",
                reached.ToArray());
            missed.ShouldBeEmpty($"{name}: not reachable by Tab");
        }
    }
}
