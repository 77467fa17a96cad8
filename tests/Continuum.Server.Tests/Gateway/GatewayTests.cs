using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Context;
using Continuum.Testing;
using OpenAI.Chat;

namespace Continuum.Server.Tests.Gateway;

/// <summary>The OpenAI-compatible gateway driven by the official OpenAI .NET SDK, against a fake upstream on loopback.</summary>
public sealed class GatewayTests
{
    private static readonly ChatTool Weather = ChatTool.CreateFunctionTool(
        "get_weather",
        "The weather in a city.",
        BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));

    [Fact]
    public async Task A_completion_through_the_sdk_is_answered_by_the_upstream_and_recorded_with_model_usage_and_latency()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var server = await GatewayClients.ServerAsync(upstream);
        var chat = GatewayClients.Chat(server);

        var result = await chat.CompleteChatAsync([new UserChatMessage("hello gateway")], new ChatCompletionOptions { EndUserId = "ann" });

        result.Value.Content[0].Text.ShouldBe("Fake answer to: hello gateway");
        result.Value.Model.ShouldBe("fake-model");
        result.Value.Usage.OutputTokenCount.ShouldBeGreaterThan(0);
        result.GetRawResponse().Headers.TryGetValue("X-Continuum-Session", out var sessionId).ShouldBeTrue();
        upstream.Authorizations.ShouldAllBe(a => !a.Contains("sk-client-key"), "the client's key is never sent upstream");
        var events = await GatewayClients.RecordedConversationAsync(server, sessionId!, 2);
        events.Select(e => (string)e["role"]! + ":" + (string)e["content"]!).ShouldBe(["user:hello gateway", "assistant:Fake answer to: hello gateway"]);
        ((string)events[0]["interface"]!).ShouldBe("gateway");
        var metadata = events[1]["metadata"]!;
        ((string)metadata["model"]!).ShouldBe("fake-model");
        ((int)metadata["usage"]!["outputTokens"]!).ShouldBe(result.Value.Usage.OutputTokenCount);
        ((double)metadata["latencyMs"]!).ShouldBeGreaterThanOrEqualTo(0);
        ((bool)metadata["incomplete"]!).ShouldBeFalse();
        (await GatewayClients.SessionOfUserAsync(server, "gateway", "ann")).ShouldBe(sessionId);
    }

    [Fact]
    public async Task A_streamed_completion_arrives_in_pieces_and_is_recorded_whole()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        upstream.Answer = _ => "the answer comes in five pieces";
        await using var server = await GatewayClients.ServerAsync(upstream);
        var chat = GatewayClients.Chat(server, headers: ("X-Continuum-User", "bea"));

        var pieces = new List<string>();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("stream please")]))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text).Where(t => t.Length > 0));
            usage ??= update.Usage;
        }

        pieces.Count.ShouldBe(6);
        string.Concat(pieces).ShouldBe("the answer comes in five pieces");
        usage.ShouldNotBeNull("the SDK asks for the usage piece, and it is relayed");
        var session = await GatewayClients.SessionOfUserAsync(server, "gateway", "bea");
        var events = await GatewayClients.RecordedConversationAsync(server, session, 2);
        events.Select(e => (string)e["content"]!).ShouldBe(["stream please", "the answer comes in five pieces"]);
        ((int)events[1]["metadata"]!["usage"]!["outputTokens"]!).ShouldBeGreaterThan(0, "the gateway asked for usage itself");
    }

    [Fact]
    public async Task The_stream_is_relayed_as_server_sent_events_ending_in_done()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        upstream.Answer = _ => "two pieces";
        await using var server = await GatewayClients.ServerAsync(upstream);

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"fake-model","stream":true,"stream_options":{"include_usage":true},"user":"cal","messages":[{"role":"user","content":"hi"}],"x_unknown_field":{"kept":true}}""", Encoding.UTF8, "application/json"),
        };
        using var response = await server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        events.ShouldAllBe(e => e.StartsWith("data: ", StringComparison.Ordinal));
        events[^1].ShouldBe("data: [DONE]");
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
        chunks.ShouldAllBe(c => (string)c["object"]! == "chat.completion.chunk");
        chunks[^1]["usage"].ShouldNotBeNull("the client asked for usage");
        upstream.Requests.Single()["x_unknown_field"]!["kept"]!.GetValue<bool>().ShouldBeTrue("fields the gateway does not know pass through");

        var withoutUsage = await server.SendRawAsync(HttpMethod.Post, "v1/chat/completions", """{"model":"fake-model","stream":true,"user":"cal","messages":[{"role":"user","content":"again"}]}""");
        var plain = withoutUsage.Text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        plain[^1].ShouldBe("data: [DONE]");
        plain[..^1].ShouldAllBe(e => JsonNode.Parse(e.Substring(6), null, default)!["usage"] == null, "a client that did not ask gets no usage piece");
        ((bool)upstream.Requests[^1]["stream_options"]!["include_usage"]!).ShouldBeTrue("the gateway asks for usage to record it");
    }

    [Fact]
    public async Task Tool_calls_pass_through_both_ways_and_are_recorded()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var server = await GatewayClients.ServerAsync(upstream);
        var chat = GatewayClients.Chat(server, headers: ("X-Continuum-User", "dan"));
        var options = new ChatCompletionOptions { Tools = { Weather } };
        List<ChatMessage> messages = [new UserChatMessage("weather in Oslo?")];

        var first = await chat.CompleteChatAsync(messages, options);

        first.Value.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        var call = first.Value.ToolCalls.Single();
        call.FunctionName.ShouldBe("get_weather");
        call.FunctionArguments.ToString().ShouldBe("""{"city":"Oslo"}""");
        ((string)upstream.Requests[0]["tools"]![0]!["function"]!["name"]!).ShouldBe("get_weather");

        messages.Add(new AssistantChatMessage(first.Value));
        messages.Add(new ToolChatMessage(call.Id, "12 degrees and rain"));
        var pieces = new StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync(messages, options))
        {
            foreach (var part in update.ContentUpdate)
            {
                pieces.Append(part.Text);
            }
        }

        pieces.ToString().ShouldBe("Fake answer to: weather in Oslo?");
        var sent = upstream.Requests[1]["messages"]!.AsArray().Where(m => (string)m!["role"]! != "system").ToList();
        sent.Select(m => (string)m!["role"]!).ShouldBe(["user", "assistant", "tool"]);
        ((string)sent[2]!["tool_call_id"]!).ShouldBe(call.Id, "the tool result keeps its call id");
        var session = await GatewayClients.SessionOfUserAsync(server, "gateway", "dan");
        var events = await GatewayClients.RecordedConversationAsync(server, session, 4);
        events.Select(e => (string)e["type"]!).ShouldBe(["message", "tool_call", "tool_result", "message"]);
        ((string)events[1]["name"]!).ShouldBe("get_weather");
        ((string)events[1]["content"]!).ShouldContain("Oslo");
        ((string)events[2]["content"]!).ShouldBe("12 degrees and rain");
    }

    [Fact]
    public async Task A_resent_history_and_a_retried_call_record_each_message_once()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var server = await GatewayClients.ServerAsync(upstream);
        var chat = GatewayClients.Chat(server, headers: ("X-Continuum-User", "eve"));
        List<ChatMessage> history = [new SystemChatMessage("You are terse."), new UserChatMessage("first question")];

        var first = await chat.CompleteChatAsync(history);
        history.Add(new AssistantChatMessage(first.Value));
        history.Add(new UserChatMessage("second question"));
        var second = await chat.CompleteChatAsync(history);
        await chat.CompleteChatAsync(history); // the client retries: it never saw the second answer
        history.Add(new AssistantChatMessage(second.Value));
        history.Add(new UserChatMessage("third question"));
        await chat.CompleteChatAsync(history);

        var session = await GatewayClients.SessionOfUserAsync(server, "gateway", "eve");
        var events = await GatewayClients.RecordedConversationAsync(server, session, 6);
        events.Select(e => (string)e["role"]! + ":" + (string)e["content"]!).ShouldBe([
            "user:first question",
            "assistant:Fake answer to: first question",
            "user:second question",
            "assistant:Fake answer to: second question",
            "user:third question",
            "assistant:Fake answer to: third question",
        ]);
        events.ShouldAllBe(e => !((string)e["content"]!).Contains("terse"), "the client's system message is forwarded, not recorded");
    }

    [Fact]
    public async Task The_sessions_context_is_put_in_front_and_a_request_option_turns_it_off()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var server = await GatewayClients.ServerAsync(upstream);
        var chat = GatewayClients.Chat(server, headers: ("X-Continuum-User", "fin"));
        await chat.CompleteChatAsync([new UserChatMessage("hello")]);
        var session = await GatewayClients.SessionOfUserAsync(server, "gateway", "fin");
        var userId = (string)(await server.GetOkAsync($"api/sessions/{session}"))["userId"]!;
        await server.PostOkAsync("api/memories", new { userId, content = "Fin's build server is called quasar-9.", kind = "fact" });

        await chat.CompleteChatAsync([new UserChatMessage("which build server is mine?")]);
        var off = GatewayClients.Chat(server, headers: [("X-Continuum-User", "fin"), ("X-Continuum-Inject", "false")]);
        await off.CompleteChatAsync([new UserChatMessage("which build server, without memory?")]);
        using var bodyOff = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"fake-model","user":"fin","continuum":{"inject":false},"messages":[{"role":"user","content":"body option off"}]}""", Encoding.UTF8, "application/json"),
        };
        (await server.Http.SendAsync(bodyOff)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var injected = upstream.RequestsMentioning("which build server is mine?").Single()["messages"]!.AsArray();
        injected.Count.ShouldBe(2);
        ((string)injected[0]!["role"]!).ShouldBe("system");
        ((string)injected[0]!["content"]!).ShouldContain("quasar-9");
        upstream.RequestsMentioning("without memory").Single()["messages"]!.AsArray().Count.ShouldBe(1);
        var plain = upstream.RequestsMentioning("body option off").Single();
        plain["messages"]!.AsArray().Count.ShouldBe(1);
        plain["continuum"].ShouldBeNull("Continuum's own options are not forwarded");
    }

    [Fact]
    public async Task A_history_longer_than_the_budget_is_cut_to_its_newest_part_and_the_summaries()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var server = await GatewayClients.ServerAsync(upstream);
        var session = (string)(await server.PostOkAsync("api/sessions", new { identity = new { @interface = "gateway", externalUserId = "gil" }, @interface = "gateway", tokenLimit = 400 }))["id"]!;
        var chat = GatewayClients.Chat(server, headers: ("X-Continuum-Session", session));
        var history = new List<ChatMessage>();
        for (var i = 0; i < 20; i++)
        {
            history.Add(new UserChatMessage($"question {i}: " + string.Join(' ', Enumerable.Repeat("padding words", 20))));
            history.Add(new AssistantChatMessage($"answer {i}: " + string.Join(' ', Enumerable.Repeat("more words", 20))));
        }

        history.Add(new UserChatMessage("the last question"));
        await chat.CompleteChatAsync(history);

        var sent = upstream.RequestsMentioning("the last question").Single()["messages"]!.AsArray();
        sent.Count.ShouldBeLessThan(history.Count);
        ((string)sent[^1]!["content"]!).ShouldBe("the last question");
        ((string)sent[0]!["role"]!).ShouldBe("system");
        ((string)sent[0]!["content"]!).ShouldContain("older part of this conversation is left out");
        sent.Skip(1).First()!["role"]!.GetValue<string>().ShouldBe("user", "the kept part starts at a user message");
        (await GatewayClients.RecordedConversationAsync(server, session, 42)).Count(e => (string)e["role"]! == "user").ShouldBe(21, "the whole history is recorded");
    }

    [Theory]
    [InlineData(401)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task An_upstream_error_comes_back_with_its_status_in_openais_shape_and_nothing_is_recorded(int status)
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        upstream.FailWith = status;
        await using var server = await GatewayClients.ServerAsync(upstream);
        var session = (string)(await server.OpenSessionAsync("gateway", "hal"))["id"]!;
        var chat = GatewayClients.Chat(server, headers: ("X-Continuum-Session", session));

        var error = await Should.ThrowAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("fail please")]));
        var streamed = await Should.ThrowAsync<ClientResultException>(async () =>
        {
            await foreach (var _ in chat.CompleteChatStreamingAsync([new UserChatMessage("fail please")]))
            {
            }
        });

        error.Status.ShouldBe(status);
        streamed.Status.ShouldBe(status);
        var body = JsonNode.Parse(error.GetRawResponse()!.Content.ToString())!;
        ((string)body["error"]!["message"]!).ShouldContain($"failed with {status}");
        (await GatewayClients.ConversationOfAsync(server, session)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_upstream_that_does_not_answer_in_time_is_a_504()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        upstream.Hang = true;
        await using var server = await GatewayClients.ServerAsync(upstream, "--Continuum:Models:Chat:Timeout", "00:00:00.300");
        var session = (string)(await server.OpenSessionAsync("gateway", "ida"))["id"]!;

        var error = await Should.ThrowAsync<ClientResultException>(() => GatewayClients.Chat(server, headers: ("X-Continuum-Session", session)).CompleteChatAsync([new UserChatMessage("hello?")]));

        error.Status.ShouldBe(504);
        JsonNode.Parse(error.GetRawResponse()!.Content.ToString())!["error"]!["code"]!.GetValue<string>().ShouldBe("upstream_timeout");
        (await GatewayClients.ConversationOfAsync(server, session)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_client_that_leaves_mid_stream_leaves_what_it_was_sent_marked_incomplete()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        upstream.Answer = _ => "Partial answer never finished";
        upstream.StallAfterFirstPiece = true;
        await using var server = await GatewayClients.ServerAsync(upstream);
        var session = (string)(await server.OpenSessionAsync("gateway", "jon"))["id"]!;

        using (var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions"))
        {
            request.Headers.Add("X-Continuum-Session", session);
            request.Content = new StringContent("""{"model":"fake-model","stream":true,"messages":[{"role":"user","content":"go on"}]}""", Encoding.UTF8, "application/json");
            using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var seen = new StringBuilder();
            while (!seen.ToString().Contains("Partial", StringComparison.Ordinal))
            {
                seen.AppendLine(await reader.ReadLineAsync());
            }
        }

        await upstream.CallerLeft.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await ContextServer.EventuallyAsync(async () => (await GatewayClients.ConversationOfAsync(server, session)).Count == 2, TimeSpan.FromSeconds(30), "the partial answer is recorded");
        var events = await GatewayClients.ConversationOfAsync(server, session);
        ((string)events[0]["content"]!).ShouldBe("go on");
        ((string)events[1]["content"]!).ShouldBe("Partial");
        ((bool)events[1]["metadata"]!["incomplete"]!).ShouldBeTrue();
    }

    [Fact]
    public async Task Two_clients_on_two_interfaces_of_one_user_share_the_session_through_the_gateway()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var server = await GatewayClients.ServerAsync(upstream);
        var phone = GatewayClients.Chat(server, headers: [("X-Continuum-User", "kim-phone"), ("X-Continuum-Interface", "phone-app")]);
        await phone.CompleteChatAsync([new UserChatMessage("We found the deploy key under vault path secret/quasar.")]);
        var userId = (string)(await server.PostAsync("api/users/resolve", new { @interface = "phone-app", externalUserId = "kim-phone" })).Json["id"]!;
        var code = (string)(await server.PostOkAsync($"api/users/{userId}/link-codes", new { }))["code"]!;
        await server.PostOkAsync("api/users/link", new { code, identity = new { @interface = "desktop-app", externalUserId = "kim-desk" } }, HttpStatusCode.OK);

        var desktop = GatewayClients.Chat(server, headers: [("X-Continuum-User", "kim-desk"), ("X-Continuum-Interface", "desktop-app")]);
        await desktop.CompleteChatAsync([new UserChatMessage("what did we find?")]);

        var sent = upstream.RequestsMentioning("what did we find?").Single()["messages"]!.AsArray();
        ((string)sent[0]!["role"]!).ShouldBe("system");
        ((string)sent[0]!["content"]!).ShouldContain("secret/quasar");
        ((string)sent[0]!["content"]!).ShouldContain("[phone-app] user:");
    }

    [Fact]
    public async Task A_call_right_after_another_clients_answer_has_that_exchange_in_its_context()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var server = await GatewayClients.ServerAsync(upstream);
        var session = (string)(await server.OpenSessionAsync("gateway", "lea"))["id"]!;
        var first = GatewayClients.Chat(server, headers: ("X-Continuum-Session", session));
        var second = GatewayClients.Chat(server, headers: ("X-Continuum-Session", session));

        // The first exchange is recorded after its answer; the second client's call, with a history that does not
        // hold it, waits for that recording before its context is built.
        await first.CompleteChatAsync([new UserChatMessage("The spare rack key is in drawer 7.")]);
        await second.CompleteChatAsync([new UserChatMessage("where is the spare rack key?")]);

        var sent = upstream.RequestsMentioning("where is the spare rack key?").Single()["messages"]!.AsArray();
        ((string)sent[0]!["role"]!).ShouldBe("system");
        ((string)sent[0]!["content"]!).ShouldContain("[gateway] user: The spare rack key is in drawer 7.");
        ((string)sent[0]!["content"]!).ShouldContain("[gateway] assistant: Fake answer to: The spare rack key is in drawer 7.");
        var events = await GatewayClients.RecordedConversationAsync(server, session, 4);
        events.Select(e => (string)e["content"]!).ShouldBe([
            "The spare rack key is in drawer 7.",
            "Fake answer to: The spare rack key is in drawer 7.",
            "where is the spare rack key?",
            "Fake answer to: where is the spare rack key?",
        ]);
    }

    [Fact]
    public async Task Bad_requests_get_openais_error_shape()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var server = await GatewayClients.ServerAsync(upstream);

        var notJson = await server.SendRawAsync(HttpMethod.Post, "v1/chat/completions", "{\"messages\": [");
        var noMessages = await server.SendRawAsync(HttpMethod.Post, "v1/chat/completions", """{"model":"fake-model"}""");
        var badRole = await server.SendRawAsync(HttpMethod.Post, "v1/chat/completions", """{"messages":[{"role":"wizard","content":"x"}]}""");
        using var unknownSession = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent("""{"messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json") };
        unknownSession.Headers.Add("X-Continuum-Session", "ses_nothing_here");
        using var unknown = await server.Http.SendAsync(unknownSession);

        foreach (var (reply, status, code) in new[] { (notJson, 400, "invalid_json"), (noMessages, 400, "missing_required_parameter"), (badRole, 400, "invalid_value") })
        {
            reply.Status.ShouldBe((HttpStatusCode)status, reply.Text);
            ((string)reply.Json["error"]!["code"]!).ShouldBe(code);
            ((string)reply.Json["error"]!["message"]!).ShouldNotBeNullOrWhiteSpace();
        }

        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        ((string)JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]!["code"]!).ShouldBe("session_not_found");
        upstream.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Models_lists_the_configured_model_and_the_named_upstreams()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var other = await FakeChatModelServer.StartAsync();
        other.ModelName = "other-model";
        await using var server = await GatewayClients.ServerAsync(upstream, "--Continuum:Gateway:Upstreams:local-llama:Endpoint", other.Endpoint, "--Continuum:Gateway:Upstreams:local-llama:Model", "llama3.1");

        var models = await server.GetOkAsync("v1/models");
        var answer = await GatewayClients.Chat(server, "local-llama").CompleteChatAsync([new UserChatMessage("which upstream?")]);

        ((string)models["object"]!).ShouldBe("list");
        models["data"]!.AsArray().Select(m => (string)m!["id"]!).ShouldBe(["fake-model", "local-llama"]);
        answer.Value.Model.ShouldBe("other-model");
        ((string)other.Requests.Single()["model"]!).ShouldBe("llama3.1");
        upstream.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task With_no_model_configured_the_gateway_answers_from_what_the_user_said_elsewhere()
    {
        await using var server = await ApiServer.StartAsync();
        var telegram = await server.OpenSessionAsync("telegram", "lea");
        await server.AppendAsync((string)telegram["id"]!, "We found the leak in the quasar cache eviction code.");
        var userId = (string)telegram["userId"]!;
        var code = (string)(await server.PostOkAsync($"api/users/{userId}/link-codes", new { }))["code"]!;
        await server.PostOkAsync("api/users/link", new { code, identity = new { @interface = "cli", externalUserId = "lea-cli" } }, HttpStatusCode.OK);
        var chat = GatewayClients.Chat(server, "continuum", headers: [("X-Continuum-User", "lea-cli"), ("X-Continuum-Interface", "cli")]);

        var whole = await chat.CompleteChatAsync([new UserChatMessage("what did we find about the quasar leak?")]);
        var streamed = new StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("and the quasar cache?")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
        }

        whole.Value.Model.ShouldBe("continuum-none");
        whole.Value.Content[0].Text.ShouldContain("quasar cache eviction");
        streamed.ToString().ShouldContain("No chat model is configured");
        var models = await server.GetOkAsync("v1/models");
        models["data"]!.AsArray().Select(m => (string)m!["id"]!).ShouldBe(["continuum-none"]);
    }
}
