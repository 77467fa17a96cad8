using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Continuum.Context;
using Continuum.Sessions;
using Microsoft.Extensions.AI;

namespace Continuum.Client;

/// <summary>
/// A chat client that keeps its conversation in a Continuum session: before each call the session's context (the
/// background a model on any interface gets, and the session's recent messages this conversation does not hold) goes
/// in front as one system message; after it, the messages new since the last call and the answer are appended in one
/// batch. Each message is keyed by the conversation up to it (user and tool messages by their text, an answer by
/// what it answers), so a conversation sent again whole, as chat clients do, is recorded once.
/// </summary>
public sealed class ContinuumMemoryChatClient : DelegatingChatClient
{
    private const string KeyPrefix = "meai1-";
    private const string AnswerSuffix = ":answer";
    private const string Preamble = "Context from Continuum (this user's session and long-term memory):";

    private readonly ISessionService _sessions;
    private readonly IContextService _context;
    private readonly ContinuumMemoryOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _open = new(1, 1);
    private string? _sessionId;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public ContinuumMemoryChatClient(IChatClient inner, ISessionService sessions, IContextService context, ContinuumMemoryOptions options, TimeProvider? time = null)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        _sessions = sessions;
        _context = context;
        _options = options;
        _time = time ?? TimeProvider.System;
        _sessionId = options.SessionId;
    }

    /// <summary>The session the conversation is kept in, once the first call opened it.</summary>
    public string? SessionId => _sessionId;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (sessionId, list, keyed, answerKey) = await PrepareAsync(messages, cancellationToken).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        await RecordAsync(sessionId, keyed, response.Text, response.ModelId, response.Usage, _time.GetElapsedTime(started), answerKey, incomplete: false, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (sessionId, list, keyed, answerKey) = await PrepareAsync(messages, cancellationToken).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        var text = new StringBuilder();
        var usage = new UsageDetails();
        string? model = null;
        var completed = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
            {
                model ??= update.ModelId;
                text.Append(update.Text);
                foreach (var content in update.Contents.OfType<UsageContent>())
                {
                    usage.Add(content.Details);
                }

                yield return update;
            }

            completed = true;
            await RecordAsync(sessionId, keyed, text.ToString(), model, usage, _time.GetElapsedTime(started), answerKey, incomplete: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!completed && text.Length > 0)
            {
                // The caller stopped reading: what it was given is kept, marked incomplete.
                using var record = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await RecordAsync(sessionId, keyed, text.ToString(), model, usage, _time.GetElapsedTime(started), answerKey, incomplete: true, record.Token).ConfigureAwait(false);
            }
        }
    }

    private async Task<(string SessionId, List<ChatMessage> Messages, List<(ChatMessage Message, string Key)> Keyed, string AnswerKey)> PrepareAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var sessionId = await SessionAsync(cancellationToken).ConfigureAwait(false);
        var list = messages as List<ChatMessage> ?? [.. messages];
        var keyed = new List<(ChatMessage, string)>();
        var chain = SHA256.HashData("continuum-meai-v1"u8);
        foreach (var message in list)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            var before = Key(chain, "");
            var identity = message.Role == ChatRole.Assistant ? "assistant" : message.Role.Value + "\n" + message.Text;
            chain = SHA256.HashData([.. chain, .. Encoding.UTF8.GetBytes(identity)]);
            keyed.Add((message, message.Role == ChatRole.Assistant ? before + AnswerSuffix : Key(chain, "")));
        }

        var answerKey = Key(chain, AnswerSuffix);
        if (!_options.InjectContext)
        {
            return (sessionId, list, keyed, answerKey);
        }

        var query = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text;
        var built = await _context.BuildAsync(sessionId, string.IsNullOrWhiteSpace(query) ? null : query.Length > 4096 ? query[..4096] : query, cancellationToken: cancellationToken).ConfigureAwait(false);
        var keys = keyed.Select(k => k.Item2).ToHashSet(StringComparer.Ordinal);
        var background = built.Tokens.CarriedOver + built.Tokens.Summaries + built.Tokens.Memories + built.Tokens.Entities > 0 && built.Messages.Count > 0 && built.Messages[0].Role == "system"
            ? built.Messages[0].Content
            : "";
        var elsewhere = built.Recent
            .Where(e => e.Role != EventRole.System && (e.IdempotencyKey is null || !keys.Contains(e.IdempotencyKey)))
            .TakeLast(20)
            .Select(e => $"[{e.Interface}] {e.Role}: {e.Content}")
            .ToList();
        if (background.Length == 0 && elsewhere.Count == 0)
        {
            return (sessionId, list, keyed, answerKey);
        }

        var injected = new StringBuilder(Preamble);
        if (background.Length > 0)
        {
            injected.Append("\n\n").Append(background);
        }

        if (elsewhere.Count > 0)
        {
            injected.Append("\n\nRecent messages in this session that are not in this conversation:\n").AppendJoin('\n', elsewhere);
        }

        var systemCount = list.TakeWhile(m => m.Role == ChatRole.System).Count();
        var sent = new List<ChatMessage>(list.Count + 1);
        sent.AddRange(list.Take(systemCount));
        sent.Add(new ChatMessage(ChatRole.System, injected.ToString()));
        sent.AddRange(list.Skip(systemCount));
        return (sessionId, sent, keyed, answerKey);
    }

    private async Task<string> SessionAsync(CancellationToken cancellationToken)
    {
        if (_sessionId is { } known)
        {
            return known;
        }

        await _open.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sessionId is null)
            {
                var opened = await _sessions.OpenAsync(new OpenSessionRequest
                {
                    UserId = _options.UserId,
                    Identity = _options.UserId is null ? _options.Identity : null,
                    Interface = _options.Interface,
                }, cancellationToken).ConfigureAwait(false);
                _sessionId = opened.Session.Id;
            }

            return _sessionId;
        }
        finally
        {
            _open.Release();
        }
    }

    private async Task RecordAsync(string sessionId, List<(ChatMessage Message, string Key)> keyed, string answer, string? model, UsageDetails? usage, TimeSpan latency, string answerKey, bool incomplete, CancellationToken cancellationToken)
    {
        var events = new List<NewEvent>(keyed.Count + 1);
        foreach (var (message, key) in keyed)
        {
            events.Add(new NewEvent
            {
                Type = message.Role == ChatRole.Tool ? EventType.ToolResult : EventType.Message,
                Role = message.Role == ChatRole.Assistant ? EventRole.Assistant : message.Role == ChatRole.Tool ? EventRole.Tool : EventRole.User,
                Content = message.Text.Length == 0 ? "(no text)" : message.Text,
                IdempotencyKey = key,
            });
        }

        events.Add(new NewEvent
        {
            Type = EventType.Message,
            Role = EventRole.Assistant,
            Content = answer.Length == 0 ? "(empty answer)" : answer,
            IdempotencyKey = answerKey,
            Metadata = JsonSerializer.SerializeToElement(new Dictionary<string, object?>
            {
                ["model"] = model,
                ["usage"] = new Dictionary<string, object?> { ["inputTokens"] = usage?.InputTokenCount, ["outputTokens"] = usage?.OutputTokenCount, ["totalTokens"] = usage?.TotalTokenCount },
                ["latencyMs"] = Math.Round(latency.TotalMilliseconds, 1),
                ["incomplete"] = incomplete,
                ["via"] = "Microsoft.Extensions.AI",
            }),
        });
        for (var offset = 0; offset < events.Count; offset += 1000)
        {
            await _sessions.AppendBatchAsync(sessionId, events.GetRange(offset, Math.Min(1000, events.Count - offset)), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Key(byte[] chain, string suffix) =>
        KeyPrefix + Convert.ToBase64String(chain, 0, 18).Replace('+', '-').Replace('/', '_') + suffix;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _open.Dispose();
        }

        base.Dispose(disposing);
    }
}
