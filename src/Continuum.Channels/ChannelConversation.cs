using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Continuum.Chat;
using Continuum.Context;
using Continuum.Errors;
using Continuum.Lifecycle;
using Continuum.Memory;
using Continuum.Sessions;
using Continuum.Users;
using Microsoft.Extensions.Logging;

namespace Continuum.Channels;

/// <summary>
/// What every chat channel does with a message, whatever its wire: the sender's identity resolves to the canonical
/// user, the chat is a session of that user (the chat id its interface id), commands act on the session, the user
/// and their memories through Core's services, and any other text is answered through the shared answering pipeline
/// (<see cref="IChatTurns"/>), which records the message and the answer.
/// </summary>
internal sealed partial class ChannelConversation(
    ISessionService sessions,
    IIdentityService identities,
    IContextService context,
    IMemoryService memories,
    IChatTurns turns,
    ILifecycleService lifecycle,
    ChannelRateLimiter limiter,
    TimeProvider clock,
    ILogger<ChannelConversation> logger)
{
    /// <summary>The commands, as the help lists them.</summary>
    public const string CommandList = "/reset (clear the messages from my context, keep the summary), /link (a code to join another interface), " +
        "/link CODE (join this account to the code's user), /continue (carry your conversation over here), /memories (what I remember), /forget (erase it)";

    public const string RateLimited = "You are sending messages faster than I can answer. Please wait a minute, then try again.";

    public const string Apology = "Sorry, I could not answer that just now. Please try again in a moment.";

    /// <summary>The session state member that holds when <c>/forget</c> was asked (an ISO 8601 time).</summary>
    public const string ForgetRequestedState = "channelForgetRequestedAt";

    /// <summary>How long a <c>/forget</c> waits for its confirmation.</summary>
    public static readonly TimeSpan ForgetConfirmWindow = TimeSpan.FromMinutes(5);

    /// <summary>Handles one message: a command, an attachment to record, or text to answer.</summary>
    public async Task HandleAsync(ChannelMessage message, IChannelOutput output, CancellationToken cancellationToken)
    {
        switch (limiter.Admit(message.ChatKey))
        {
            case Admission.RefusedFirst:
                LogRateLimited(logger, message.Channel);
                await output.SendAsync(RateLimited, cancellationToken).ConfigureAwait(false);
                return;
            case Admission.Refused:
                return;
        }

        var session = await OpenAsync(message, cancellationToken).ConfigureAwait(false);
        if (ParseCommand(message.Text) is { } command)
        {
            var reply = await RunCommandAsync(session, message, command.Name, command.Argument, cancellationToken).ConfigureAwait(false);
            await SendAsync(output, reply, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrWhiteSpace(message.Text))
        {
            // A photo or document without a caption: recorded, nothing to answer.
            await sessions.AppendAsync(session.Id, new NewEvent
            {
                Role = EventRole.User,
                Content = message.Placeholder ?? "[attachment]",
                Metadata = ToElement(message.Metadata),
                IdempotencyKey = message.IdempotencyKey,
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        await AnswerAsync(session, message, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records an edited message as an event of its own whose metadata points at the original (<c>edit.eventId</c>,
    /// <c>edit.seq</c>); the original stays as it was. Edits are not answered.
    /// </summary>
    public async Task RecordEditAsync(ChannelMessage edited, string editVersion, CancellationToken cancellationToken)
    {
        if (limiter.Admit(edited.ChatKey) != Admission.Admitted)
        {
            return;
        }

        var session = await OpenAsync(edited, cancellationToken).ConfigureAwait(false);
        var original = await FindByKeyAsync(session, edited.IdempotencyKey, cancellationToken).ConfigureAwait(false);
        var metadata = (JsonObject)edited.Metadata.DeepClone();
        metadata["edit"] = new JsonObject
        {
            ["eventId"] = original?.Id,
            ["seq"] = original?.Seq,
            ["originalKey"] = edited.IdempotencyKey,
        };
        await sessions.AppendAsync(session.Id, new NewEvent
        {
            Role = EventRole.User,
            Content = string.IsNullOrWhiteSpace(edited.Text) ? edited.Placeholder ?? "[edited]" : edited.Text,
            Metadata = ToElement(metadata),
            IdempotencyKey = $"{edited.IdempotencyKey}:edit:{editVersion}",
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The command in <paramref name="text"/> (<c>/name@bot argument</c>), or null for plain text.</summary>
    public static (string Name, string Argument)? ParseCommand(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length < 2 || trimmed[0] != '/' || !char.IsAsciiLetter(trimmed[1]))
        {
            return null;
        }

        var space = trimmed.IndexOfAny([' ', '\n', '\t']);
        var head = space < 0 ? trimmed[1..] : trimmed[1..space];
        var at = head.IndexOf('@', StringComparison.Ordinal);
        var name = (at < 0 ? head : head[..at]).ToLowerInvariant();
        return (name, space < 0 ? "" : trimmed[(space + 1)..].Trim());
    }

    private async Task<Session> OpenAsync(ChannelMessage message, CancellationToken cancellationToken)
    {
        var opened = await sessions.OpenAsync(new OpenSessionRequest
        {
            Identity = Identity(message),
            Interface = message.Channel,
            InterfaceId = message.ChatId,
        }, cancellationToken).ConfigureAwait(false);
        return opened.Session;
    }

    private static IdentityRef Identity(ChannelMessage message) =>
        new() { Interface = message.Channel, ExternalUserId = message.ExternalUserId, DisplayName = message.DisplayName };

    private async Task<string> RunCommandAsync(Session session, ChannelMessage message, string name, string argument, CancellationToken cancellationToken)
    {
        switch (name)
        {
            case "start":
            case "help":
                var greeting = message.DisplayName is { Length: > 0 } who ? $"Hi {who}." : "Hi.";
                return $"{greeting} I keep our conversation here and on your other interfaces, and answer from it. Commands: {CommandList}.";
            case "reset":
                await context.ClearAsync(session.Id, cancellationToken).ConfigureAwait(false);
                return "Done: the messages so far are out of my context. I keep the summary of what we discussed.";
            case "link" when argument.Length == 0:
                var code = await identities.CreateLinkCodeAsync(session.UserId!, cancellationToken).ConfigureAwait(false);
                return $"Your link code: {code.Code}\nIt works once, until {code.ExpiresAt.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture)} UTC. " +
                    "Enter it on your other interface (the web chat's link box, or /link CODE in another bot) to make it part of this conversation.";
            case "link":
                return await LinkAsync(message, argument, cancellationToken).ConfigureAwait(false);
            case "continue":
                return await ContinueAsync(session, message, cancellationToken).ConfigureAwait(false);
            case "memories":
                return await ListMemoriesAsync(session.UserId!, cancellationToken).ConfigureAwait(false);
            case "forget":
                return await ForgetAsync(session, message, argument, cancellationToken).ConfigureAwait(false);
            default:
                return $"I do not know /{name}. Commands: {CommandList}.";
        }
    }

    private async Task<string> LinkAsync(ChannelMessage message, string code, CancellationToken cancellationToken)
    {
        try
        {
            await identities.LinkAsync(new LinkRequest { Code = code.Trim(), Identity = Identity(message) }, cancellationToken).ConfigureAwait(false);
            return "Linked: this account now shares one conversation and one memory with the interface that made the code.";
        }
        catch (ContinuumException ex) when (ex.StatusCode is >= 400 and < 500)
        {
            return "That link code is not valid: it may be mistyped, used already or expired. Ask for a new one with /link on the other interface.";
        }
    }

    private async Task<string> ContinueAsync(Session session, ChannelMessage message, CancellationToken cancellationToken)
    {
        if (session.Counters.Messages == 0 && session.ParentId is null)
        {
            return "There is no conversation to carry over yet: just write, and I will keep it.";
        }

        var continued = await sessions.ContinueAsync(session.Id, new ContinueRequest { Interface = message.Channel, InterfaceId = message.ChatId }, cancellationToken).ConfigureAwait(false);
        var from = continued.CarriedOver;
        var text = new StringBuilder($"Continued your {session.Interface} conversation ({session.Counters.Messages} messages) here.");
        if (!string.IsNullOrWhiteSpace(session.Summary))
        {
            text.Append("\nWhere we were: ").Append(session.Summary);
        }
        else if (from?.LastMessages is { Count: > 0 } carried)
        {
            text.Append("\nLast said: ").Append(carried[^1].Content);
        }

        return text.ToString();
    }

    private async Task<string> ListMemoriesAsync(string userId, CancellationToken cancellationToken)
    {
        var page = await memories.ListAsync(new MemoryQuery { UserId = userId, Limit = 20 }, cancellationToken).ConfigureAwait(false);
        if (page.Items.Count == 0)
        {
            return "I hold no memories about you yet.";
        }

        var text = new StringBuilder("What I remember about you:");
        foreach (var memory in page.Items)
        {
            text.Append("\n- ").Append(memory.Content).Append(" (").Append(memory.Kind).Append(')');
        }

        if (page.Next is not null)
        {
            text.Append("\n…and more.");
        }

        return text.ToString();
    }

    private async Task<string> ForgetAsync(Session session, ChannelMessage message, string argument, CancellationToken cancellationToken)
    {
        var confirm = message.Channel == "discord" ? "/forget with confirm set to True" : "/forget yes";
        var now = clock.GetUtcNow();
        if (!argument.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            await SetForgetRequestAsync(session.Id, now, cancellationToken).ConfigureAwait(false);
            return "This erases everything I keep about you, on every interface: your sessions and their messages, your memories and your linked identities. " +
                $"It cannot be undone. To go ahead, send {confirm} within {ForgetConfirmWindow.TotalMinutes:0} minutes.";
        }

        if (ForgetRequestedAt(session) is not { } asked || now - asked > ForgetConfirmWindow || asked > now)
        {
            return $"Nothing to confirm: send /forget first, then {confirm} within {ForgetConfirmWindow.TotalMinutes:0} minutes.";
        }

        // Everything about the user goes, this chat's session and identity included: the next message starts afresh.
        var forgotten = await lifecycle.ForgetUserAsync(session.UserId!, cancellationToken).ConfigureAwait(false);
        LogForgot(logger, message.Channel, forgotten.Counts.Values.Sum());
        return $"Forgotten: I erased everything I kept about you ({Count(forgotten, "sessions", "session")}, {Count(forgotten, "events", "event")}, " +
            $"{Count(forgotten, "memories", "memory")}, {Count(forgotten, "identities", "linked identity", "linked identities")}). Your next message starts afresh.";
    }

    private static string Count(ForgetResult result, string kind, string one, string? many = null)
    {
        var n = result.Counts.TryGetValue(kind, out var count) ? count : 0;
        return n == 1 ? "1 " + one : $"{n} {many ?? one + "s"}";
    }

    private Task<Session> SetForgetRequestAsync(string sessionId, DateTimeOffset? at, CancellationToken cancellationToken) =>
        sessions.UpdateAsync(sessionId, new SessionPatch
        {
            State = ToElement(new JsonObject { [ForgetRequestedState] = at?.ToString("O", CultureInfo.InvariantCulture) }),
        }, cancellationToken);

    private static DateTimeOffset? ForgetRequestedAt(Session session) =>
        session.State.ValueKind == JsonValueKind.Object
        && session.State.TryGetProperty(ForgetRequestedState, out var value)
        && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at
            : null;

    private async Task AnswerAsync(Session session, ChannelMessage message, IChannelOutput output, CancellationToken cancellationToken)
    {
        string text;
        using (var typing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var indicator = KeepTypingAsync(output, typing.Token);
            try
            {
                var answer = await turns.AnswerAsync(new ChatTurnRequest(session.Id, message.Text)
                {
                    Metadata = ToElement(message.Metadata),
                    IdempotencyKey = message.IdempotencyKey,
                }, cancellationToken).ConfigureAwait(false);
                if (answer.Failed)
                {
                    LogModelFailed(logger, message.Channel, session.Id);
                }

                text = answer.Text;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogAnswerFailed(logger, ex, message.Channel, session.Id);
                text = Apology;
            }
            finally
            {
                await typing.CancelAsync().ConfigureAwait(false);
                await indicator.ConfigureAwait(false);
            }
        }

        await SendAsync(output, string.IsNullOrWhiteSpace(text) ? "…" : text, cancellationToken).ConfigureAwait(false);
    }

    private async Task KeepTypingAsync(IChannelOutput output, CancellationToken cancellationToken)
    {
        try
        {
            do
            {
                try
                {
                    await output.TypingAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The indicator is a courtesy: a failure to show it must not stop the answer.
                    LogTypingFailed(logger, ex.GetType().Name);
                }

                if (output.TypingInterval <= TimeSpan.Zero)
                {
                    return;
                }

                await Task.Delay(output.TypingInterval, clock, cancellationToken).ConfigureAwait(false);
            }
            while (!cancellationToken.IsCancellationRequested);
        }
        catch (OperationCanceledException)
        {
            // The answer is ready.
        }
    }

    private static async Task SendAsync(IChannelOutput output, string text, CancellationToken cancellationToken)
    {
        foreach (var piece in MessageSplitter.Split(text, output.MaxMessageLength))
        {
            await output.SendAsync(piece, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SessionEvent?> FindByKeyAsync(Session session, string key, CancellationToken cancellationToken)
    {
        // An edit refers to a recent message; the last thousand events are where it is.
        long? after = Math.Max(0, session.LastSeq - 1000);
        SessionEvent? found = null;
        while (after is not null)
        {
            var page = await sessions.ListEventsAsync(session.Id, after, 500, cancellationToken).ConfigureAwait(false);
            found = page.Items.FirstOrDefault(e => e.IdempotencyKey == key) ?? found;
            after = page.Next is { } next ? long.Parse(next, CultureInfo.InvariantCulture) : null;
        }

        return found;
    }

    private static JsonElement ToElement(JsonNode node) => JsonSerializer.SerializeToElement(node);

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Channel} chat is over its rate limit; told it once")]
    private static partial void LogRateLimited(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The chat model failed to answer a {Channel} message in session {SessionId}; the user got an apology")]
    private static partial void LogModelFailed(ILogger logger, string channel, string sessionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering a {Channel} message in session {SessionId} failed; the user got an apology")]
    private static partial void LogAnswerFailed(ILogger logger, Exception exception, string channel, string sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The typing indicator could not be shown ({Error})")]
    private static partial void LogTypingFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Channel} user was forgotten ({Count} records erased)")]
    private static partial void LogForgot(ILogger logger, string channel, long count);
}
