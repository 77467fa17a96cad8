using Continuum.Server.Tests.Api;
using Continuum.Testing;
using Continuum.Web.Tests.Browser;
using Microsoft.Playwright;

namespace Continuum.Web.Tests;

/// <summary>
/// The web chat in real Chromium against a real server on loopback, answering through the shared pipeline with a
/// fake model that speaks the OpenAI streaming wire protocol over HTTP.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class WebChatBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_visitor_chats_reloads_to_their_history_and_links_their_telegram_conversation_into_the_next_answer()
    {
        await using var model = await FakeChatModelServer.StartAsync();
        await using var server = await ApiServer.StartAsync("--Continuum:Models:Chat:Endpoint", model.Endpoint, "--Continuum:Models:Chat:Model", "fake-model");
        var telegram = await server.PostOkAsync("api/sessions", new
        {
            identity = new { @interface = "telegram", externalUserId = "4242", displayName = "Ann" },
            @interface = "telegram",
            interfaceId = "chat-4242",
        });
        await server.AppendAsync((string)telegram["id"]!, "The GPU on node gpu-3 reads 82C under load.");
        await server.AppendAsync((string)telegram["id"]!, "82C is thermal throttling territory; check the fan on gpu-3.", role: "assistant");
        await using var page = await browser.OpenAsync(server.Http.BaseAddress!);
        var chat = page.Page;

        await page.GotoAsync("chat");
        var streamed = await chat.RunAndWaitForResponseAsync(() => SendAsync(chat, "hello from Chromium"), r => r.Url.EndsWith("/chat/api/messages", StringComparison.Ordinal));
        await Assertions.Expect(chat.Locator(".cc-assistant:not([data-streaming])").Last).ToHaveTextAsync("Fake answer to: hello from Chromium");
        var cookie = (await chat.Context.CookiesAsync()).Single(c => c.Name == "continuum_visitor");

        streamed.Headers["content-type"].ShouldStartWith("text/event-stream");
        cookie.HttpOnly.ShouldBeTrue();
        cookie.SameSite.ShouldBe(SameSiteAttribute.Lax);
        (await chat.EvaluateAsync<string>("() => document.cookie")).ShouldNotContain("continuum_visitor");

        await chat.ReloadAsync(new PageReloadOptions { WaitUntil = WaitUntilState.NetworkIdle });
        await Assertions.Expect(chat.Locator(".cc-message")).ToHaveTextAsync(["hello from Chromium", "Fake answer to: hello from Chromium"]);

        var userId = (string)telegram["userId"]!;
        var code = (string)(await server.PostOkAsync($"api/users/{userId}/link-codes", new { }))["code"]!;
        await chat.FillAsync("input[name=link-code]", code);
        await chat.ClickAsync("button[name=link]");
        await Assertions.Expect(chat.Locator(".cc-status")).ToHaveTextAsync("Linked: continuing your telegram conversation.");
        await Assertions.Expect(chat.Locator(".cc-carried").First).ToContainTextAsync("82C");
        await page.ScreenshotAsync("webchat-linked");

        var answersBefore = model.AnswerRequests.Count;
        await SendAsync(chat, "what did we find?");
        await Assertions.Expect(chat.Locator(".cc-assistant:not([data-streaming])").Last).ToHaveTextAsync("Fake answer to: what did we find?");

        var request = FakeChatModelServer.TextOf(model.AnswerRequests.Skip(answersBefore).ShouldHaveSingleItem());
        request.ShouldContain("gpu-3 reads 82C");
        request.ShouldContain("what did we find?");
        await page.ScreenshotAsync("webchat");
        await page.ShouldNotOverflowHorizontallyAsync();
        page.ShouldHaveNoErrors();
    }

    [Fact]
    public async Task The_script_renders_the_chat_into_an_element_of_another_page()
    {
        await using var model = await FakeChatModelServer.StartAsync();
        await using var server = await ApiServer.StartAsync("--Continuum:Models:Chat:Endpoint", model.Endpoint, "--Continuum:Models:Chat:Model", "fake-model");
        await using var page = await browser.OpenAsync(server.Http.BaseAddress!, width: 390, height: 700);
        var chat = page.Page;
        // A page of the site's own (same origin here), with its own content and an element to render into.
        await chat.RouteAsync("**/site/help.html", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = """
                <!doctype html><html><head><title>Help</title></head>
                <body><h1>Help centre</h1><div id="support" style="height:480px"></div>
                <script src="/chat/embed.js"></script>
                <script>ContinuumChat.mount(document.getElementById("support"));</script></body></html>
                """,
        }));

        await page.GotoAsync("site/help.html");
        await SendAsync(chat, "is the embed working?");

        await Assertions.Expect(chat.Locator("#support [data-continuum-chat] .cc-assistant:not([data-streaming])")).ToHaveTextAsync("Fake answer to: is the embed working?");
        (await chat.InnerTextAsync("h1")).ShouldBe("Help centre");
        await page.ShouldNotOverflowHorizontallyAsync();
        page.ShouldHaveNoErrors();
    }

    private static async Task SendAsync(IPage chat, string text)
    {
        await chat.FillAsync("textarea[name=message]", text);
        await chat.PressAsync("textarea[name=message]", "Enter");
    }
}
