using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Security;
using Continuum.Testing;

namespace Continuum.Server.Tests.WebChat;

/// <summary>
/// The web chat over HTTP: a real server on loopback answering through the shared pipeline with a fake model that
/// speaks the OpenAI wire protocol (streaming) over HTTP; each visitor is an HttpClient with its own cookie jar.
/// </summary>
public sealed class WebChatApiTests : IAsyncLifetime
{
    private FakeChatModelServer _model = null!;
    private ApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _model = await FakeChatModelServer.StartAsync();
        _server = await ApiServer.StartAsync("--Continuum:Models:Chat:Endpoint", _model.Endpoint, "--Continuum:Models:Chat:Model", "fake-model");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _model.DisposeAsync();
    }

    [Fact]
    public async Task The_page_and_the_embeddable_script_are_plain_html_and_javascript_from_the_server()
    {
        using var page = await _server.Http.GetAsync("chat");
        using var script = await _server.Http.GetAsync("chat/embed.js");

        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await page.Content.ReadAsStringAsync()).ShouldContain("<script src=\"/chat/embed.js\" data-target=\"#chat\"></script>");
        script.StatusCode.ShouldBe(HttpStatusCode.OK);
        script.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
        (await script.Content.ReadAsStringAsync()).ShouldContain("window.ContinuumChat = { mount: mount }");
    }

    [Fact]
    public async Task A_message_streams_its_answer_as_server_sent_events_and_the_visitor_gets_a_cookie()
    {
        using var visitor = Visitor();

        using var response = await PostMessageAsync(visitor, "hello from the browser");
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("continuum_visitor=", StringComparison.Ordinal));
        var events = Parse(await response.Content.ReadAsStringAsync());

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        cookie.ToLowerInvariant().ShouldContain("httponly");
        cookie.ToLowerInvariant().ShouldContain("samesite=lax");
        cookie.ToLowerInvariant().ShouldContain("path=/chat");
        cookie.ToLowerInvariant().Contains("secure", StringComparison.Ordinal).ShouldBeFalse("served over plain http on loopback");
        events[0].Name.ShouldBe("start");
        events[^1].Name.ShouldBe("done");
        events.Count(e => e.Name == "delta").ShouldBeGreaterThan(1, "the answer arrives in pieces");
        string.Concat(events.Where(e => e.Name == "delta").Select(e => (string)e.Data["text"]!)).ShouldBe("Fake answer to: hello from the browser");

        var sessionId = (string)events[0].Data["sessionId"]!;
        var messages = (await _server.AllEventsAsync(sessionId)).Where(e => (string)e["type"]! == "message").ToList();
        messages.Select(e => (string)e["role"]!).ShouldBe(["user", "assistant"]);
        messages.Select(e => (string)e["content"]!).ShouldBe(["hello from the browser", "Fake answer to: hello from the browser"]);
        messages.ShouldAllBe(e => (string)e["interface"]! == "web");
    }

    [Fact]
    public async Task History_after_a_reload_is_the_visitors_session_and_a_new_visitor_has_none()
    {
        using var visitor = Visitor();
        using (await PostMessageAsync(visitor, "first question"))
        {
        }

        using (await PostMessageAsync(visitor, "second question"))
        {
        }

        var usersBefore = await UsersAsync();
        using var stranger = Visitor();

        var history = await visitor.GetFromJsonAsync<JsonObject>("chat/api/history");
        var empty = await stranger.GetFromJsonAsync<JsonObject>("chat/api/history");

        history!["messages"]!.AsArray().Select(m => (string)m!["content"]!)
            .ShouldBe(["first question", "Fake answer to: first question", "second question", "Fake answer to: second question"]);
        ((string)history["sessionId"]!).ShouldStartWith("ses_");
        empty!["messages"]!.AsArray().ShouldBeEmpty();
        empty["sessionId"].ShouldBeNull();
        (await UsersAsync()).ShouldBe(usersBefore, "reading history without a cookie creates nobody");
    }

    [Fact]
    public async Task A_retried_message_with_the_same_key_is_recorded_and_answered_once()
    {
        using var visitor = Visitor();
        var body = new { text = "count me once", idempotencyKey = "web-retry-1" };

        using var first = await visitor.PostAsJsonAsync("chat/api/messages", body);
        var firstEvents = Parse(await first.Content.ReadAsStringAsync());
        var answersAfterFirst = _model.AnswerRequests.Count;
        using var retry = await visitor.PostAsJsonAsync("chat/api/messages", body);
        var retryEvents = Parse(await retry.Content.ReadAsStringAsync());

        var sessionId = (string)firstEvents[0].Data["sessionId"]!;
        var messages = (await _server.AllEventsAsync(sessionId)).Where(e => (string)e["type"]! == "message").Select(e => (string)e["content"]!).ToList();
        messages.ShouldBe(["count me once", "Fake answer to: count me once"]);
        _model.AnswerRequests.Count.ShouldBe(answersAfterFirst, "the retry replays the recorded answer");
        string.Concat(retryEvents.Where(e => e.Name == "delta").Select(e => (string)e.Data["text"]!)).ShouldBe("Fake answer to: count me once");
    }

    [Fact]
    public async Task A_cookie_the_server_did_not_issue_is_no_identity()
    {
        using var visitor = Visitor();
        using (await PostMessageAsync(visitor, "private words"))
        {
        }

        using var forger = new HttpClient { BaseAddress = _server.Http.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "chat/api/history");
        request.Headers.Add("Cookie", "continuum_visitor=../../etc/passwd");
        using var response = await forger.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var history = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        history["messages"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task Bad_input_is_a_4xx_problem_and_records_nothing()
    {
        using var visitor = Visitor();

        using var blank = await visitor.PostAsJsonAsync("chat/api/messages", new { text = "   " });
        using var malformed = await visitor.PostAsync("chat/api/messages", new StringContent("{ \"text\": ", Encoding.UTF8, "application/json"));
        using var missing = await visitor.PostAsync("chat/api/messages", new StringContent("", Encoding.UTF8, "application/json"));
        using var badCode = await visitor.PostAsJsonAsync("chat/api/link", new { code = "NOTACODE1234" });
        using var noCode = await visitor.PostAsJsonAsync("chat/api/link", new { });

        foreach (var response in new[] { blank, malformed, missing, badCode, noCode })
        {
            ((int)response.StatusCode).ShouldBeInRange(400, 499, await response.Content.ReadAsStringAsync());
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }

        var stats = await _server.GetOkAsync("api/stats");
        ((long)stats["sessions"]!["messages"]!).ShouldBe(0);
    }

    [Fact]
    public async Task A_link_code_from_telegram_makes_the_visitor_that_user_and_the_next_answer_carries_the_telegram_conversation()
    {
        var telegram = await _server.PostOkAsync("api/sessions", new
        {
            identity = new { @interface = "telegram", externalUserId = "4242", displayName = "Ann" },
            @interface = "telegram",
            interfaceId = "chat-4242",
        });
        var telegramUser = (string)telegram["userId"]!;
        await _server.AppendAsync((string)telegram["id"]!, "The GPU on node gpu-3 reads 82C under load.");
        await _server.AppendAsync((string)telegram["id"]!, "82C is thermal throttling territory; check the fan on gpu-3.", role: "assistant");
        var code = (string)(await _server.PostOkAsync($"api/users/{telegramUser}/link-codes", new { }))["code"]!;

        using var visitor = Visitor();
        using (await PostMessageAsync(visitor, "hi, I am new here"))
        {
        }

        using var link = await visitor.PostAsJsonAsync("chat/api/link", new { code });
        var linked = (await link.Content.ReadFromJsonAsync<JsonObject>())!;
        var answersBefore = _model.AnswerRequests.Count;
        using var asked = await PostMessageAsync(visitor, "what did we find?");
        var events = Parse(await asked.Content.ReadAsStringAsync());
        var history = (await visitor.GetFromJsonAsync<JsonObject>("chat/api/history"))!;

        link.StatusCode.ShouldBe(HttpStatusCode.OK);
        ((string)linked["userId"]!).ShouldBe(telegramUser);
        ((string)linked["continuedFromInterface"]!).ShouldBe("telegram");
        ((string)linked["continuedFrom"]!).ShouldBe((string)telegram["id"]!);
        ((string)events[0].Data["userId"]!).ShouldBe(telegramUser);
        ((string)events[0].Data["sessionId"]!).ShouldBe((string)linked["sessionId"]!);
        var prompt = FakeChatModelServer.TextOf(_model.AnswerRequests.Skip(answersBefore).ShouldHaveSingleItem());
        prompt.ShouldContain("82C");
        prompt.ShouldContain("what did we find?");
        ((string)history["carriedOver"]!["fromInterface"]!).ShouldBe("telegram");
        history["carriedOver"]!["messages"]!.AsArray().Select(m => (string)m!["content"]!).ShouldContain("The GPU on node gpu-3 reads 82C under load.");
        history["messages"]!.AsArray().Select(m => (string)m!["content"]!).ShouldBe(["what did we find?", "Fake answer to: what did we find?"]);
    }

    [Fact]
    public async Task A_new_conversation_starts_an_empty_session_for_the_same_user()
    {
        using var visitor = Visitor();
        using var first = await PostMessageAsync(visitor, "old topic");
        var before = Parse(await first.Content.ReadAsStringAsync())[0].Data;

        using var fresh = await visitor.PostAsync("chat/api/new", null);
        var created = (await fresh.Content.ReadFromJsonAsync<JsonObject>())!;
        var history = (await visitor.GetFromJsonAsync<JsonObject>("chat/api/history"))!;

        fresh.StatusCode.ShouldBe(HttpStatusCode.OK);
        ((string)created["userId"]!).ShouldBe((string)before["userId"]!);
        ((string)created["sessionId"]!).ShouldNotBe((string)before["sessionId"]!);
        ((string)history["sessionId"]!).ShouldBe((string)created["sessionId"]!);
        history["messages"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task With_keys_on_the_page_needs_none_a_call_without_a_key_is_401_and_a_user_bound_key_chats_as_its_user()
    {
        await using var server = await ApiServer.StartAsync("--Continuum:Security:RequireKeys", "true", "--Continuum:Models:Chat:Endpoint", _model.Endpoint, "--Continuum:Models:Chat:Model", "fake-model");
        var admin = await KeyedClient.WithNewKeyAsync(server, "acme", "read,write,admin");
        var user = (await admin.SendAsync(HttpMethod.Post, "api/users/resolve", new { @interface = "telegram", externalUserId = "777" })).Json;
        var userId = (string)user["id"]!;
        var bound = await KeyedClient.CreateKeyAsync(server, "acme", "read,write", userId);
        using var visitor = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.Http.BaseAddress };

        using var page = await visitor.GetAsync("chat");
        using var script = await visitor.GetAsync("chat/embed.js");
        using var keyless = await visitor.PostAsJsonAsync("chat/api/messages", new { text = "let me in" });
        visitor.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bound.Secret);
        using var keyed = await PostMessageAsync(visitor, "hello as the key's user");
        var events = Parse(await keyed.Content.ReadAsStringAsync());
        var history = (await visitor.GetFromJsonAsync<JsonObject>("chat/api/history"))!;
        using var link = await visitor.PostAsJsonAsync("chat/api/link", new { code = "ABCDEFGHJKMN" });

        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        script.StatusCode.ShouldBe(HttpStatusCode.OK);
        keyless.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        ((string)events[0].Data["userId"]!).ShouldBe(userId);
        keyed.Headers.Contains("Set-Cookie").ShouldBeFalse("a bound key is its user: no visitor cookie");
        history["messages"]!.AsArray().Select(m => (string)m!["content"]!).ShouldBe(["hello as the key's user", "Fake answer to: hello as the key's user"]);
        link.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "a key bound to one user cannot become another");
    }

    private HttpClient Visitor() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = _server.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    private static async Task<HttpResponseMessage> PostMessageAsync(HttpClient visitor, string text)
    {
        var response = await visitor.PostAsJsonAsync("chat/api/messages", new { text, idempotencyKey = "web-" + Guid.NewGuid().ToString("N") });
        if (!response.IsSuccessStatusCode)
        {
            throw new ShouldAssertException($"POST chat/api/messages answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return response;
    }

    private async Task<long> UsersAsync() => (long)(await _server.GetOkAsync("api/stats"))["sessions"]!["users"]!;

    /// <summary>The events of a text/event-stream body, in order.</summary>
    internal static List<(string Name, JsonObject Data)> Parse(string body) =>
        body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n'))
            .Select(lines => (
                Name: lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..],
                Data: JsonNode.Parse(string.Concat(lines.Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l["data: ".Length..])))!.AsObject()))
            .ToList();
}
