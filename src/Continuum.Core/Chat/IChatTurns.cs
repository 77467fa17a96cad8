using System.Text.Json;

namespace Continuum.Chat;

/// <summary>
/// The answering pipeline every channel shares (the gateway, the Telegram and Discord bots, the web chat,
/// <c>continuum chat</c>): record the user's message in the session, build the session's context for it (carried-over
/// part, summaries, the user's relevant memories, recent messages) within its budget, ask the chat model, and record
/// the answer with its model, token usage and latency. With no chat model configured it still answers, less richly,
/// from what Continuum holds, and says so.
/// </summary>
public interface IChatTurns
{
    /// <summary>Answers one user message, streaming the answer's text as it arrives; the answer is recorded when the stream ends.</summary>
    /// <param name="request">The turn.</param>
    /// <param name="cancellationToken">Cancels the turn; what was streamed until then is recorded, marked incomplete.</param>
    IAsyncEnumerable<ChatTurnUpdate> AnswerStreamingAsync(ChatTurnRequest request, CancellationToken cancellationToken = default);

    /// <summary>Answers one user message and returns the whole answer once it is recorded.</summary>
    /// <param name="request">The turn.</param>
    /// <param name="cancellationToken">Cancels the turn.</param>
    Task<ChatTurnAnswer> AnswerAsync(ChatTurnRequest request, CancellationToken cancellationToken = default);
}

/// <summary>One user message to answer.</summary>
/// <param name="SessionId">The session it belongs to.</param>
/// <param name="Text">The user's message.</param>
public sealed record ChatTurnRequest(string SessionId, string Text)
{
    /// <summary>Metadata recorded with the user's message (attachments, the channel's message id…).</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>Makes a retried turn record the user's message once (for example the channel's message id).</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The model to ask, or null for the configured chat model.</summary>
    public string? Model { get; init; }
}

/// <summary>A piece of a streamed answer.</summary>
/// <param name="Text">The text that arrived.</param>
public sealed record ChatTurnUpdate(string Text);

/// <summary>A recorded answer.</summary>
/// <param name="Text">The answer's text (an apology when the model failed).</param>
/// <param name="UserSeq">The seq of the recorded user message.</param>
/// <param name="AnswerSeq">The seq of the recorded answer (or of the error event when the model failed).</param>
/// <param name="Model">The model that answered, or null when none is configured.</param>
/// <param name="Failed">True when the model failed and <paramref name="Text"/> is the apology.</param>
public sealed record ChatTurnAnswer(string Text, long UserSeq, long AnswerSeq, string? Model, bool Failed);
