using System.Text.Json;
using Continuum.AspNetCore.Security;
using Continuum.Chat;
using Continuum.Errors;
using Continuum.Json;
using Continuum.Security;
using Continuum.Sessions;
using Continuum.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Continuum.AspNetCore.WebChat;

/// <summary>
/// The web chat: the page at <c>/chat</c>, the embeddable script at <c>/chat/embed.js</c> and the page's own calls
/// under <c>/chat/api</c>. The visitor is a <c>web</c> identity kept in a cookie (<see cref="WebChatVisitor"/>), or,
/// when the call carries a key bound to a user, that user; their session is the user's active one, answered through
/// the shared answering pipeline (<see cref="IChatTurns"/>). The page and the script need no key; the calls take the
/// server's keys like every route, and keys bound to a user may make them.
/// </summary>
internal static partial class WebChatEndpoints
{
    private const int HistoryEvents = 500;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var chat = endpoints.MapGroup("/chat").ExcludeFromDescription();
        chat.MapGet("", () => WebChatAssets.Page()).AllowAnonymousAccess();
        chat.MapGet("/embed.js", () => WebChatAssets.Script()).AllowAnonymousAccess();
        var api = chat.MapGroup("/api").AllowBoundKeys(BoundKeyAccess.User);
        api.MapGet("/history", HistoryAsync);
        api.MapPost("/messages", MessageAsync);
        api.MapPost("/link", LinkAsync);
        api.MapPost("/new", NewAsync);
    }

    // The visitor's session and its messages; a visitor without a cookie has none and nothing is written.
    private static async Task<Ok<WebChatHistory>> HistoryAsync(HttpContext context, ISessionService sessions, CancellationToken cancellationToken)
    {
        var visitor = WebChatVisitor.Find(context);
        if (visitor is null && CallerAccess.BoundUser is null)
        {
            return TypedResults.Ok(new WebChatHistory(null, null, null, []));
        }

        var session = (await OpenAsync(sessions, visitor, "resume", cancellationToken).ConfigureAwait(false)).Session;
        var messages = new List<WebChatMessage>();
        var after = Math.Max(0, session.LastSeq - HistoryEvents);
        while (true)
        {
            var page = await sessions.ListEventsAsync(session.Id, after, HistoryEvents, cancellationToken).ConfigureAwait(false);
            messages.AddRange(page.Items
                .Where(e => e.Type == "message" && e.Role is "user" or "assistant")
                .Select(e => new WebChatMessage(e.Role, e.Content, e.Interface, e.Seq, e.CreatedAt)));
            if (page.Next is null || page.Items.Count == 0)
            {
                break;
            }

            after = page.Items[^1].Seq;
        }

        var carried = session.CarriedOver is { } over
            ? new WebChatCarriedOver(over.FromInterface, over.LastMessages.Select(m => new WebChatMessage(m.Role, m.Content, m.Interface, null, null)).ToList())
            : null;
        return TypedResults.Ok(new WebChatHistory(session.Id, session.UserId, carried, messages));
    }

    // Records the visitor's message and streams the answer as server-sent events: start, delta..., done (or error).
    private static async Task MessageAsync(WebChatPost? body, HttpContext context, ISessionService sessions, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var text = RequestBody.Require(body).Text;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ValidationException("text", "is required: the message to send.");
        }

        var turns = context.RequestServices.GetService<IChatTurns>()
            ?? throw new ContinuumException("chat-unavailable", 503, "This server has no answering pipeline: the web chat cannot answer.");
        var session = (await OpenAsync(sessions, Visitor(context), "resume", cancellationToken).ConfigureAwait(false)).Session;
        var request = new ChatTurnRequest(session.Id, text) { IdempotencyKey = body!.IdempotencyKey };

        var updates = turns.AnswerStreamingAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (updates.ConfigureAwait(false))
        {
            // The first step records the message: anything it refuses is still an ordinary problem document.
            var more = await updates.MoveNextAsync().ConfigureAwait(false);

            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await WriteEventAsync(response, "start", new { sessionId = session.Id, userId = session.UserId }, cancellationToken).ConfigureAwait(false);
            try
            {
                while (more)
                {
                    await WriteEventAsync(response, "delta", new { text = updates.Current.Text }, cancellationToken).ConfigureAwait(false);
                    more = await updates.MoveNextAsync().ConfigureAwait(false);
                }

                await WriteEventAsync(response, "done", new { sessionId = session.Id }, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The visitor left; the pipeline records what was streamed, marked incomplete.
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // The answer has begun: the status is sent, so the failure goes to the page as an event.
                LogStreamFailed(loggers.CreateLogger(typeof(WebChatEndpoints)), session.Id, ex);
                var detail = ex is ContinuumException known ? known.Message : "The answer failed; try again.";
                await WriteEventAsync(response, "error", new { detail }, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    // Redeems a link code another interface showed: the visitor becomes that user, and their latest conversation on
    // another interface continues here, carrying its context.
    private static async Task<Ok<WebChatLinked>> LinkAsync(WebChatLinkPost? body, HttpContext context, IIdentityService identities, ISessionService sessions, CancellationToken cancellationToken)
    {
        var code = RequestBody.Require(body).Code;
        if (string.IsNullOrWhiteSpace(code))
        {
            throw new ValidationException("code", "is required: the code the other interface showed.");
        }

        var visitor = WebChatVisitor.FindOrIssue(context);
        var user = await identities.LinkAsync(new LinkRequest { Code = code.Trim(), Identity = visitor }, cancellationToken).ConfigureAwait(false);

        var active = await sessions.ListAsync(new SessionQuery { UserId = user.Id, Status = "active", Limit = 100 }, cancellationToken).ConfigureAwait(false);
        var elsewhere = active.Items.Where(s => s.AgentId is null && s.Interface != WebChatVisitor.Interface).MaxBy(s => s.LastActiveAt);
        Session session;
        if (elsewhere is not null)
        {
            session = await sessions.ContinueAsync(elsewhere.Id, new ContinueRequest { Interface = WebChatVisitor.Interface }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            session = (await OpenAsync(sessions, visitor, "resume", cancellationToken).ConfigureAwait(false)).Session;
        }

        return TypedResults.Ok(new WebChatLinked(user.Id, session.Id, elsewhere?.Id, elsewhere?.Interface));
    }

    // A new conversation for the visitor; the user's memories still come along.
    private static async Task<Ok<WebChatNew>> NewAsync(HttpContext context, ISessionService sessions, CancellationToken cancellationToken)
    {
        var session = (await OpenAsync(sessions, Visitor(context), "new", cancellationToken).ConfigureAwait(false)).Session;
        return TypedResults.Ok(new WebChatNew(session.Id, session.UserId));
    }

    // A key bound to a user is that user: no cookie identity of its own.
    private static IdentityRef? Visitor(HttpContext context) =>
        CallerAccess.BoundUser is null ? WebChatVisitor.FindOrIssue(context) : null;

    // With no identity the session is the bound key's user's (Core confines a bound key to its user).
    private static Task<OpenSessionResult> OpenAsync(ISessionService sessions, IdentityRef? visitor, string mode, CancellationToken cancellationToken) =>
        sessions.OpenAsync(new OpenSessionRequest { Identity = CallerAccess.BoundUser is null ? visitor : null, Interface = WebChatVisitor.Interface, Mode = mode }, cancellationToken);

    private static async Task WriteEventAsync(HttpResponse response, string name, object data, CancellationToken cancellationToken)
    {
        await response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, JsonDefaults.Options)}\n\n", cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "The web chat's answer in session {SessionId} failed after it began streaming.")]
    private static partial void LogStreamFailed(ILogger logger, string sessionId, Exception exception);
}

/// <summary>A message the page sends.</summary>
/// <param name="Text">The visitor's message.</param>
/// <param name="IdempotencyKey">The page's key for this message, so a retry records it once.</param>
internal sealed record WebChatPost(string? Text, string? IdempotencyKey);

/// <summary>A link code the visitor entered.</summary>
/// <param name="Code">The code another interface showed.</param>
internal sealed record WebChatLinkPost(string? Code);

/// <summary>One message of the visitor's session.</summary>
internal sealed record WebChatMessage(string Role, string Content, string Interface, long? Seq, DateTimeOffset? CreatedAt);

/// <summary>What the session carried over from the conversation it continues.</summary>
internal sealed record WebChatCarriedOver(string FromInterface, IReadOnlyList<WebChatMessage> Messages);

/// <summary>The visitor's session and its messages, oldest first.</summary>
internal sealed record WebChatHistory(string? SessionId, string? UserId, WebChatCarriedOver? CarriedOver, IReadOnlyList<WebChatMessage> Messages);

/// <summary>The result of a link: the user the visitor now is, and the session the chat goes on in.</summary>
internal sealed record WebChatLinked(string UserId, string SessionId, string? ContinuedFrom, string? ContinuedFromInterface);

/// <summary>A new conversation.</summary>
internal sealed record WebChatNew(string SessionId, string? UserId);
