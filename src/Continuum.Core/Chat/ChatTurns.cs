using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Continuum.Context;
using Continuum.Errors;
using Continuum.ModelProviders;
using Continuum.Search;
using Continuum.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Chat;

/// <summary>
/// The answering pipeline: records the user's message (once per idempotency key), builds the session's context with
/// the message as the query, asks the chat model and records the answer with <c>model</c>, <c>usage</c> and
/// <c>latencyMs</c> in its metadata. A failing model leaves an <c>error</c> event and the caller gets a short
/// apology; a cancelled stream leaves what was streamed, marked <c>incomplete</c>. With no chat model configured the
/// answer is built from what the context and search hold for the question, with <c>model</c> null.
/// </summary>
public sealed partial class ChatTurns(
    ISessionService sessions,
    IContextService context,
    ISearchService search,
    ChatModel model,
    IOptions<ContinuumOptions> options,
    TimeProvider time,
    ILogger<ChatTurns> logger) : IChatTurns
{
    /// <summary>What the caller gets when the model failed.</summary>
    public const string Apology = "Sorry, I could not get an answer from the model just now. Please try again in a moment.";

    /// <summary>The suffix of the answer's idempotency key: a retried turn finds its recorded answer by it.</summary>
    public const string AnswerKeySuffix = ":answer";

    // Recording after the caller gave up must still land, but not hang a shutdown.
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(15);

    /// <inheritdoc />
    public async Task<ChatTurnAnswer> AnswerAsync(ChatTurnRequest request, CancellationToken cancellationToken = default)
    {
        var turn = new TurnState();
        await foreach (var _ in RunAsync(request, turn, cancellationToken).ConfigureAwait(false))
        {
            // The whole answer is returned once recorded.
        }

        return turn.Answer ?? throw new InvalidOperationException("The turn ended without an answer.");
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ChatTurnUpdate> AnswerStreamingAsync(ChatTurnRequest request, CancellationToken cancellationToken = default) =>
        RunAsync(request, new TurnState(), cancellationToken);

    private async IAsyncEnumerable<ChatTurnUpdate> RunAsync(ChatTurnRequest request, TurnState turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Text))
        {
            throw new ValidationException("text", "is required.");
        }

        var user = await sessions.AppendAsync(request.SessionId, new NewEvent
        {
            Type = EventType.Message,
            Role = EventRole.User,
            Content = request.Text,
            Metadata = request.Metadata,
            IdempotencyKey = request.IdempotencyKey,
        }, cancellationToken).ConfigureAwait(false);
        var userSeq = user.Event.Seq;
        var answerKey = request.IdempotencyKey is null ? null : request.IdempotencyKey + AnswerKeySuffix;

        if (user.Existing && answerKey is not null && await FindAnswerAsync(request.SessionId, userSeq, answerKey, cancellationToken).ConfigureAwait(false) is { } recorded)
        {
            // A retry of a turn that was answered: the recorded answer, not a second call to the model.
            var failed = recorded.Type == EventType.Error;
            var text = failed ? Apology : recorded.Content;
            turn.Answer = new ChatTurnAnswer(text, userSeq, recorded.Seq, ModelOf(recorded), failed);
            yield return new ChatTurnUpdate(text);
            yield break;
        }

        var built = await context.BuildAsync(request.SessionId, request.Text, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (model.Client is not { } client)
        {
            var text = await NoModelAnswerAsync(request, user.Event, built, cancellationToken).ConfigureAwait(false);
            var stored = await RecordAsync(request.SessionId, EventType.Message, text, answerKey, NoModelMetadata(userSeq), cancellationToken).ConfigureAwait(false);
            turn.Answer = new ChatTurnAnswer(text, userSeq, stored.Event.Seq, null, false);
            yield return new ChatTurnUpdate(text);
            yield break;
        }

        var messages = ModelMessages(built, request.Text);
        var chatOptions = new ChatOptions { ModelId = request.Model };
        var started = time.GetTimestamp();
        var answer = new StringBuilder();
        var usage = new UsageDetails();
        string? modelId = null;
        Exception? failure = null;
        var completed = false;
        var recordedAnswer = false;
        var stream = client.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        completed = true;
                        break;
                    }

                    update = stream.Current;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failure = ex;
                    break;
                }

                modelId ??= update.ModelId;
                foreach (var usageContent in update.Contents.OfType<UsageContent>())
                {
                    usage.Add(usageContent.Details);
                }

                var piece = update.Text;
                if (piece.Length > 0)
                {
                    answer.Append(piece);
                    yield return new ChatTurnUpdate(piece);
                }
            }

            var latency = time.GetElapsedTime(started);
            if (failure is not null)
            {
                LogModelFailed(logger, request.SessionId, failure.GetType().Name, failure);
                var error = await RecordAsync(request.SessionId, EventType.Error, "The chat model failed: " + Describe(failure), answerKey, ErrorMetadata(userSeq, request.Model ?? ConfiguredModel, latency, answer.Length), cancellationToken).ConfigureAwait(false);
                recordedAnswer = true;
                turn.Answer = new ChatTurnAnswer(Apology, userSeq, error.Event.Seq, modelId ?? request.Model ?? ConfiguredModel, true);
                yield return new ChatTurnUpdate(answer.Length > 0 ? "\n\n" + Apology : Apology);
                yield break;
            }

            if (completed)
            {
                var name = modelId ?? request.Model ?? ConfiguredModel;
                var stored = await RecordAsync(request.SessionId, EventType.Message, answer.ToString(), answerKey, AnswerMetadata(userSeq, name, usage, latency, incomplete: false), cancellationToken).ConfigureAwait(false);
                recordedAnswer = true;
                turn.Answer = new ChatTurnAnswer(answer.ToString(), userSeq, stored.Event.Seq, name, false);
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (!recordedAnswer && failure is null && answer.Length > 0)
            {
                // The caller went away mid-answer: what it was shown is kept, marked incomplete.
                await RecordIncompleteAsync(request.SessionId, answer.ToString(), answerKey, AnswerMetadata(userSeq, modelId ?? request.Model ?? ConfiguredModel, usage, time.GetElapsedTime(started), incomplete: true)).ConfigureAwait(false);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private string? ConfiguredModel => options.Value.Models.Chat.Model;

    private async Task<SessionEvent?> FindAnswerAsync(string sessionId, long userSeq, string answerKey, CancellationToken cancellationToken)
    {
        var page = await sessions.ListEventsAsync(sessionId, userSeq, 50, cancellationToken).ConfigureAwait(false);
        return page.Items.FirstOrDefault(e => e.IdempotencyKey == answerKey);
    }

    private Task<AppendResult> RecordAsync(string sessionId, string type, string content, string? key, JsonElement metadata, CancellationToken cancellationToken) =>
        sessions.AppendAsync(sessionId, new NewEvent
        {
            Type = type,
            Role = EventRole.Assistant,
            Content = content.Length == 0 ? "(empty answer)" : content,
            Metadata = metadata,
            IdempotencyKey = key,
        }, cancellationToken);

    private async Task RecordIncompleteAsync(string sessionId, string content, string? key, JsonElement metadata)
    {
        using var timeout = new CancellationTokenSource(RecordTimeout);
        try
        {
            await RecordAsync(sessionId, EventType.Message, content, key, metadata, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ContinuumException or OperationCanceledException)
        {
            LogIncompleteNotRecorded(logger, sessionId, ex);
        }
    }

    private static List<ChatMessage> ModelMessages(SessionContext built, string text)
    {
        var messages = new List<ChatMessage>(built.Messages.Count + 1);
        foreach (var m in built.Messages)
        {
            messages.Add(new ChatMessage(Role(m.Role), m.Content));
        }

        // The context keeps the newest message, but a budget smaller than the message itself must not drop the question.
        if (messages.Count == 0 || messages[^1].Role != ChatRole.User || messages[^1].Text != text)
        {
            messages.Add(new ChatMessage(ChatRole.User, text));
        }

        return messages;
    }

    private static ChatRole Role(string role) => role switch
    {
        EventRole.System => ChatRole.System,
        EventRole.Assistant => ChatRole.Assistant,
        EventRole.Tool => ChatRole.Tool,
        _ => ChatRole.User,
    };

    private async Task<string> NoModelAnswerAsync(ChatTurnRequest request, SessionEvent asked, SessionContext built, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var memory in built.Memories.Take(3))
        {
            lines.Add("- " + Clip(memory.Content));
        }

        var session = await sessions.GetAsync(request.SessionId, cancellationToken).ConfigureAwait(false);
        try
        {
            var found = await search.SearchAsync(new SearchRequest
            {
                Query = request.Text,
                UserId = session?.UserId,
                SessionId = session?.UserId is null ? request.SessionId : null,
                Limit = 8,
            }, cancellationToken).ConfigureAwait(false);
            foreach (var result in found.Results)
            {
                // Only what shares a word with the question, and only what people said (not the system's own records).
                if (lines.Count >= 5 || result.Id == asked.Id || result.Why.Terms.Count == 0
                    || (result.Kind == "event" && (result.Role is not (EventRole.User or EventRole.Assistant) || result.Content == asked.Content)))
                {
                    continue;
                }

                var line = "- " + Clip(result.Content);
                if (!lines.Contains(line))
                {
                    lines.Add(line);
                }
            }
        }
        catch (ValidationException)
        {
            // A question with no searchable words (only stop words or symbols): the memories alone answer.
        }

        return lines.Count == 0
            ? "No chat model is configured, and I hold nothing yet that matches this."
            : "No chat model is configured, so here is what I hold on this:\n" + string.Join('\n', lines);
    }

    private static string Clip(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= 300 ? flat : flat[..297] + "...";
    }

    private static string Describe(Exception ex) => ex switch
    {
        TimeoutException => "timed out",
        TaskCanceledException => "timed out",
        HttpRequestException { StatusCode: { } status } => $"HTTP {(int)status}",
        HttpRequestException => "unreachable",
        System.ClientModel.ClientResultException { Status: > 0 } c => $"HTTP {c.Status}",
        _ => ex.GetType().Name,
    };

    private static string? ModelOf(SessionEvent e) =>
        e.Metadata is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("model", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;

    private static JsonElement AnswerMetadata(long userSeq, string? modelName, UsageDetails usage, TimeSpan latency, bool incomplete) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["model"] = modelName,
            ["usage"] = new Dictionary<string, object?>
            {
                ["inputTokens"] = usage.InputTokenCount,
                ["outputTokens"] = usage.OutputTokenCount,
                ["totalTokens"] = usage.TotalTokenCount,
            },
            ["latencyMs"] = Math.Round(latency.TotalMilliseconds, 1),
            ["inReplyTo"] = userSeq,
            ["incomplete"] = incomplete,
        });

    private static JsonElement ErrorMetadata(long userSeq, string? modelName, TimeSpan latency, int streamedChars) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["model"] = modelName,
            ["latencyMs"] = Math.Round(latency.TotalMilliseconds, 1),
            ["inReplyTo"] = userSeq,
            ["streamedChars"] = streamedChars,
        });

    private static JsonElement NoModelMetadata(long userSeq) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["model"] = null,
            ["noModel"] = true,
            ["reason"] = "no chat model is configured",
            ["inReplyTo"] = userSeq,
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "The chat model failed answering in session {SessionId} ({Failure})")]
    private static partial void LogModelFailed(ILogger logger, string sessionId, string failure, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The incomplete answer of session {SessionId} could not be recorded")]
    private static partial void LogIncompleteNotRecorded(ILogger logger, string sessionId, Exception exception);

    private sealed class TurnState
    {
        public ChatTurnAnswer? Answer { get; set; }
    }
}
