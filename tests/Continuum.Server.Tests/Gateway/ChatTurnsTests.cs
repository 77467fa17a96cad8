using Continuum.Chat;
using Continuum.Server.Tests.Api;
using Continuum.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Server.Tests.Gateway;

/// <summary>The answering pipeline on a real server and store, asking a fake model over HTTP on loopback.</summary>
public sealed class ChatTurnsTests
{
    /// <summary>The session's events without the system's own records (the memory_loaded note).</summary>
    public static async Task<List<System.Text.Json.Nodes.JsonObject>> ConversationAsync(ApiServer server, string sessionId) =>
        [.. (await server.AllEventsAsync(sessionId)).Where(e => (string?)e["role"] != "system")];

    private static Task<ApiServer> StartAsync(FakeChatModelServer model) => ApiServer.StartAsync(
        "--Continuum:Models:Chat:Endpoint", model.Endpoint,
        "--Continuum:Models:Chat:Model", "fake-model",
        "--Continuum:Models:Chat:Timeout", "00:00:05");

    [Fact]
    public async Task An_answer_is_recorded_with_its_model_usage_and_latency_and_the_model_saw_the_users_memories()
    {
        await using var model = await FakeChatModelServer.StartAsync();
        await using var server = await StartAsync(model);
        var telegram = await server.OpenSessionAsync("telegram", "ada");
        await server.AppendAsync((string)telegram["id"]!, "We found the leak in the quasar cache eviction code.");
        var userId = (string)telegram["userId"]!;
        await server.PostOkAsync("api/memories", new { userId, content = "Ada prefers answers in metric units.", kind = "preference" });
        var cli = (string)(await server.PostOkAsync("api/sessions", new { userId, @interface = "cli", mode = "new" }))["id"]!;
        var turns = server.Services.GetRequiredService<IChatTurns>();

        var answer = await turns.AnswerAsync(new ChatTurnRequest(cli, "What did we find about the quasar leak?"));

        answer.Failed.ShouldBeFalse();
        answer.Model.ShouldBe("fake-model");
        answer.Text.ShouldBe("Fake answer to: What did we find about the quasar leak?");
        model.RequestsMentioning("metric units").ShouldNotBeEmpty("the context sent to the model holds the user's memories");
        var events = await ConversationAsync(server, cli);
        events.Count.ShouldBe(2);
        ((string)events[0]["role"]!).ShouldBe("user");
        ((long)events[0]["seq"]!).ShouldBe(answer.UserSeq);
        var reply = events[1];
        ((string)reply["role"]!).ShouldBe("assistant");
        ((string)reply["content"]!).ShouldBe(answer.Text);
        ((long)reply["seq"]!).ShouldBe(answer.AnswerSeq);
        var metadata = reply["metadata"]!.AsObject();
        ((string)metadata["model"]!).ShouldBe("fake-model");
        ((int)metadata["usage"]!["outputTokens"]!).ShouldBeGreaterThan(0);
        ((int)metadata["usage"]!["inputTokens"]!).ShouldBeGreaterThan(0);
        ((double)metadata["latencyMs"]!).ShouldBeGreaterThanOrEqualTo(0);
        ((bool)metadata["incomplete"]!).ShouldBeFalse();
    }

    [Fact]
    public async Task A_streamed_answer_arrives_in_pieces_and_is_recorded_whole()
    {
        await using var model = await FakeChatModelServer.StartAsync();
        model.Answer = _ => "one two three four";
        await using var server = await StartAsync(model);
        var session = (string)(await server.OpenSessionAsync("web", "bo"))["id"]!;
        var turns = server.Services.GetRequiredService<IChatTurns>();

        var pieces = new List<string>();
        await foreach (var update in turns.AnswerStreamingAsync(new ChatTurnRequest(session, "count please")))
        {
            pieces.Add(update.Text);
        }

        pieces.Count.ShouldBeGreaterThan(1);
        string.Concat(pieces).ShouldBe("one two three four");
        var events = await ConversationAsync(server, session);
        ((string)events[^1]["content"]!).ShouldBe("one two three four");
        ((bool)events[^1]["metadata"]!["incomplete"]!).ShouldBeFalse();
    }

    [Fact]
    public async Task A_retried_turn_records_the_message_once_and_does_not_ask_the_model_again()
    {
        await using var model = await FakeChatModelServer.StartAsync();
        await using var server = await StartAsync(model);
        var session = (string)(await server.OpenSessionAsync("telegram", "cy"))["id"]!;
        var turns = server.Services.GetRequiredService<IChatTurns>();
        var request = new ChatTurnRequest(session, "hello there") { IdempotencyKey = "tg-msg-42" };

        var first = await turns.AnswerAsync(request);
        var calls = model.RequestsMentioning("hello there").Count;
        var second = await turns.AnswerAsync(request);

        second.ShouldBe(first);
        model.RequestsMentioning("hello there").Count.ShouldBe(calls);
        (await ConversationAsync(server, session)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_failing_model_leaves_an_error_event_and_the_caller_gets_an_apology()
    {
        await using var model = await FakeChatModelServer.StartAsync();
        model.FailWith = 500;
        await using var server = await StartAsync(model);
        var session = (string)(await server.OpenSessionAsync("discord", "di"))["id"]!;
        var turns = server.Services.GetRequiredService<IChatTurns>();

        var answer = await turns.AnswerAsync(new ChatTurnRequest(session, "are you there?"));

        answer.Failed.ShouldBeTrue();
        answer.Text.ShouldBe(ChatTurns.Apology);
        var events = await ConversationAsync(server, session);
        events.Count.ShouldBe(2);
        ((string)events[1]["type"]!).ShouldBe("error");
        ((string)events[1]["content"]!).ShouldContain("500");
        ((long)events[1]["seq"]!).ShouldBe(answer.AnswerSeq);
        var stored = await server.GetOkAsync($"api/sessions/{session}");
        ((int)stored["counters"]!["errors"]!).ShouldBe(1);
    }

    [Fact]
    public async Task A_cancelled_stream_records_what_was_streamed_marked_incomplete()
    {
        await using var model = await FakeChatModelServer.StartAsync();
        model.Answer = _ => "partial answer that never ends";
        model.StallAfterFirstPiece = true;
        await using var server = await StartAsync(model);
        var session = (string)(await server.OpenSessionAsync("web", "ed"))["id"]!;
        var turns = server.Services.GetRequiredService<IChatTurns>();
        using var cancel = new CancellationTokenSource();

        var pieces = new List<string>();
        await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in turns.AnswerStreamingAsync(new ChatTurnRequest(session, "tell me"), cancel.Token))
            {
                pieces.Add(update.Text);
                await cancel.CancelAsync();
            }
        });

        pieces.ShouldBe(["partial"]);
        var events = await ConversationAsync(server, session);
        events.Count.ShouldBe(2);
        ((string)events[1]["content"]!).ShouldBe("partial");
        ((bool)events[1]["metadata"]!["incomplete"]!).ShouldBeTrue();
    }

    [Fact]
    public async Task With_no_model_the_answer_is_built_from_what_the_user_said_elsewhere()
    {
        await using var server = await ApiServer.StartAsync();
        var telegram = await server.OpenSessionAsync("telegram", "fay");
        await server.AppendAsync((string)telegram["id"]!, "We found the leak in the quasar cache eviction code.");
        await server.AppendAsync((string)telegram["id"]!, "Lunch is at noon.");
        var cli = (string)(await server.PostOkAsync("api/sessions", new { userId = (string)telegram["userId"]!, @interface = "cli", mode = "new" }))["id"]!;
        var turns = server.Services.GetRequiredService<IChatTurns>();

        var answer = await turns.AnswerAsync(new ChatTurnRequest(cli, "what did we find about the quasar leak?"));

        answer.Model.ShouldBeNull();
        answer.Failed.ShouldBeFalse();
        answer.Text.ShouldContain("No chat model is configured");
        answer.Text.ShouldContain("quasar cache eviction");
        answer.Text.ShouldNotContain("Lunch");
        var reply = (await ConversationAsync(server, cli))[^1];
        ((string)reply["content"]!).ShouldBe(answer.Text);
        var metadata = reply["metadata"]!.AsObject();
        metadata["model"].ShouldBeNull();
        ((bool)metadata["noModel"]!).ShouldBeTrue();
    }

    [Fact]
    public async Task With_no_model_and_nothing_held_the_answer_says_so()
    {
        await using var server = await ApiServer.StartAsync();
        var session = (string)(await server.OpenSessionAsync("cli", "gus"))["id"]!;
        var turns = server.Services.GetRequiredService<IChatTurns>();

        var answer = await turns.AnswerAsync(new ChatTurnRequest(session, "zebra xylophone"));

        answer.Text.ShouldBe("No chat model is configured, and I hold nothing yet that matches this.");
        (await ConversationAsync(server, session)).Count.ShouldBe(2);
    }
}
