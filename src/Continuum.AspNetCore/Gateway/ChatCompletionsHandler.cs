using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Continuum.Chat;
using Continuum.Context;
using Continuum.Errors;
using Continuum.Sessions;
using Continuum.Tokens;
using Continuum.Users;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.AspNetCore.Gateway;

/// <summary>
/// <c>POST /v1/chat/completions</c>: finds the caller's session, puts its context in front of the client's messages
/// within the session's budget, forwards the request (every field it does not know kept as sent) to the upstream
/// for its model, relays the answer as the upstream sent it (JSON, or server-sent events ending in
/// <c>data: [DONE]</c>), and has <see cref="GatewayRecorder"/> record the messages that are new since the session's
/// last call together with the answer, in one batch, once the client has the end of the answer. An upstream error is
/// relayed with its status and nothing is recorded; a client that goes away mid-stream leaves what it was sent,
/// marked incomplete. Continuum's own errors (validation, not found, conflict) go to the exception handler, which
/// writes them in OpenAI's shape for the routes marked <see cref="OpenAIErrorShape"/>.
/// </summary>
internal sealed partial class ChatCompletionsHandler(
    ISessionService sessions,
    IContextService context,
    IChatTurns turns,
    ITokenCounter tokens,
    GatewayUpstreams upstreams,
    GatewayRecorder recorder,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<ChatCompletionsHandler> logger,
    IGatewayBoundUser? boundUser = null)
{
    public const string SessionHeader = "X-Continuum-Session";
    public const string UserHeader = "X-Continuum-User";
    public const string InterfaceHeader = "X-Continuum-Interface";
    public const string InjectHeader = "X-Continuum-Inject";

    private const string InjectedPreamble = "Context from Continuum (this user's session and long-term memory):";
    private const int MaxRememberedSessions = 100_000;
    private const int MaxQueryLength = 4096;
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly byte[] DoneLine = "data: [DONE]\n\n"u8.ToArray();

    // The session a caller (interface and user) resolved to, for a minute: resuming is a write, reading the session
    // back is not. A closed, expired or deleted session is resolved again.
    private readonly ConcurrentDictionary<string, (string SessionId, DateTimeOffset Until)> _resolved = new(StringComparer.Ordinal);
    private static readonly TimeSpan ResolvedFor = TimeSpan.FromMinutes(1);

    public async Task HandleAsync(HttpContext http)
    {
        var cancellationToken = http.RequestAborted;
        try
        {
            JsonObject body;
            JsonArray messages;
            GatewayHistory history;
            using (GatewayTelemetry.Source.StartActivity("gateway.read"))
            {
                body = await ReadBodyAsync(http, cancellationToken).ConfigureAwait(false);
                messages = body["messages"] as JsonArray ?? [];
                if (messages.Count == 0)
                {
                    throw new GatewayRequestException(400, "messages is required: a non-empty array of chat messages.", "missing_required_parameter", "messages");
                }

                history = GatewayHistory.Read(messages);
            }

            var settings = body["continuum"] as JsonObject;
            body.Remove("continuum");
            var stream = body["stream"] is JsonValue s && s.TryGetValue<bool>(out var streaming) && streaming;
            var model = body["model"] is JsonValue m && m.TryGetValue<string>(out var name) ? name : null;
            Session? session;
            using (GatewayTelemetry.Source.StartActivity("gateway.session"))
            {
                session = await SessionAsync(http, body, cancellationToken).ConfigureAwait(false);
            }

            if (session is not null)
            {
                if (session.Status is SessionStatus.Closed or SessionStatus.Expired)
                {
                    throw new GatewayRequestException(409, $"The session '{session.Id}' is {session.Status}; open a new one.", "session_closed");
                }

                http.Response.Headers[SessionHeader] = session.Id;
            }

            var upstream = upstreams.Resolve(model);
            if (upstream is null)
            {
                await AnswerWithoutModelAsync(http, history, session, stream, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (session is not null && Inject(http, settings))
            {
                // What another client of the session was answered and is still being recorded belongs in this context.
                await recorder.SettledAsync(session.Id, history, cancellationToken).ConfigureAwait(false);
                await InjectAsync(body, messages, history, session, cancellationToken).ConfigureAwait(false);
            }

            body["model"] = upstream.Model;
            var clientWantsUsage = true;
            if (stream)
            {
                // The usage comes in the last piece only when asked for; it is recorded whatever the client asked.
                var streamOptions = body["stream_options"] as JsonObject;
                clientWantsUsage = streamOptions?["include_usage"] is JsonValue u && u.TryGetValue<bool>(out var wants) && wants;
                if (streamOptions is null)
                {
                    body["stream_options"] = streamOptions = [];
                }

                streamOptions["include_usage"] = true;
            }

            await ForwardAsync(http, JsonSerializer.SerializeToUtf8Bytes(body), upstream, history, session, stream, clientWantsUsage, cancellationToken).ConfigureAwait(false);
        }
        catch (GatewayRequestException ex) when (!http.Response.HasStarted)
        {
            await OpenAIError.WriteAsync(http, ex.Status, ex.Message, OpenAIError.TypeFor(ex.Status), ex.Code, ex.Param).ConfigureAwait(false);
        }
        catch (ContinuumException ex) when (!http.Response.HasStarted && ex.IsTransient)
        {
            LogStoreUnavailable(logger, ex);
            await OpenAIError.WriteAsync(http, 503, "The store is busy; try again.", "server_error", ex.ErrorType).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; what had to be recorded was recorded where it happened.
        }
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpContext http, CancellationToken cancellationToken)
    {
        // A JSON body has passed the API's body check (UTF-8, no member named twice, no lone surrogate) before it
        // gets here; a body of any other type is refused rather than read unchecked.
        if (!http.Request.HasJsonContentType())
        {
            throw new GatewayRequestException(415, "The body must be JSON: send Content-Type: application/json.", "unsupported_media_type");
        }

        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(http.Request.Body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new GatewayRequestException(400, "The body is not valid JSON: " + ex.Message, "invalid_json");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new GatewayRequestException(413, "The request body is larger than the server accepts (Continuum:Limits:MaxRequestBytes).", "payload_too_large");
        }

        return node as JsonObject ?? throw new GatewayRequestException(400, "The body must be a JSON object.", "invalid_json");
    }

    private static bool Inject(HttpContext http, JsonObject? settings)
    {
        var header = http.Request.Headers[InjectHeader].ToString();
        if (header.Length > 0)
        {
            return !(header.Equals("false", StringComparison.OrdinalIgnoreCase) || header.Equals("off", StringComparison.OrdinalIgnoreCase) || header == "0");
        }

        return !(settings?["inject"] is JsonValue v && v.TryGetValue<bool>(out var inject) && !inject);
    }

    private async Task<Session?> SessionAsync(HttpContext http, JsonObject body, CancellationToken cancellationToken)
    {
        var headers = http.Request.Headers;
        var sessionId = headers[SessionHeader].ToString();
        if (sessionId.Length > 0)
        {
            return await sessions.GetAsync(sessionId, cancellationToken).ConfigureAwait(false)
                ?? throw new GatewayRequestException(404, $"There is no session '{sessionId}'.", "session_not_found");
        }

        var iface = headers[InterfaceHeader].ToString() is { Length: > 0 } named ? named : options.Value.DefaultInterface;
        if (boundUser?.BoundUserId(http) is { } bound)
        {
            return await ResolveAsync("bound\n" + iface + "\n" + bound, new OpenSessionRequest { UserId = bound, Interface = iface }, cancellationToken).ConfigureAwait(false);
        }

        var user = headers[UserHeader].ToString() is { Length: > 0 } header
            ? header
            : body["user"] is JsonValue u && u.TryGetValue<string>(out var field) && field.Length > 0 ? field : null;
        if (user is null)
        {
            return null;
        }

        return await ResolveAsync("user\n" + iface + "\n" + user, new OpenSessionRequest
        {
            Identity = new IdentityRef { Interface = iface, ExternalUserId = user },
            Interface = iface,
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Session> ResolveAsync(string caller, OpenSessionRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_resolved.TryGetValue(caller, out var known) && known.Until > now
            && await sessions.GetAsync(known.SessionId, cancellationToken).ConfigureAwait(false) is { Status: not (SessionStatus.Closed or SessionStatus.Expired) } cached)
        {
            return cached;
        }

        var session = (await sessions.OpenAsync(request, cancellationToken).ConfigureAwait(false)).Session;
        if (_resolved.Count > MaxRememberedSessions)
        {
            _resolved.Clear();
        }

        _resolved[caller] = (session.Id, now + ResolvedFor);
        return session;
    }

    // The forwarded messages: the client's system messages, then Continuum's context as one system message, then as
    // much of the client's conversation, newest last, as the session's budget leaves (cut at a user message, so a
    // tool call is never separated from its result). The cut-off part is what the summaries stand for.
    private async Task InjectAsync(JsonObject body, JsonArray messages, GatewayHistory history, Session session, CancellationToken cancellationToken)
    {
        var query = history.LastUserText is { } last ? (last.Length > MaxQueryLength ? last[..MaxQueryLength] : last) : null;
        SessionContext built;
        using (GatewayTelemetry.Source.StartActivity("gateway.context"))
        {
            built = await context.BuildAsync(session.Id, string.IsNullOrWhiteSpace(query) ? null : query, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        using var activity = GatewayTelemetry.Source.StartActivity("gateway.inject");
        var limit = built.Budget;
        var clientKeys = history.Messages.Where(m => m.Key is not null).Select(m => m.Key!).ToHashSet(StringComparer.Ordinal);
        var background = built.Tokens.CarriedOver + built.Tokens.Summaries + built.Tokens.Memories + built.Tokens.Entities > 0
            && built.Messages.Count > 0 && built.Messages[0].Role == EventRole.System
            ? built.Messages[0].Content
            : "";

        // What the session holds that this client has not sent: messages on other interfaces, or from other clients.
        var elsewhere = new List<string>();
        var elsewhereTokens = 0;
        foreach (var e in built.Recent.Reverse())
        {
            if (e.Role == EventRole.System || (e.IdempotencyKey is not null && clientKeys.Contains(e.IdempotencyKey)))
            {
                continue;
            }

            var line = $"[{e.Interface}] {e.Role}: {e.Content}";
            var count = tokens.Count(line);
            if (elsewhereTokens + count > limit / 5)
            {
                break;
            }

            elsewhereTokens += count;
            elsewhere.Add(line);
        }

        elsewhere.Reverse();
        var nodes = messages.ToList();
        messages.Clear();
        var system = new List<JsonNode?>();
        var conversation = new List<(JsonNode? Node, GatewayMessage Message)>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (history.Messages[i].Role == EventRole.System)
            {
                system.Add(nodes[i]);
            }
            else
            {
                conversation.Add((nodes[i], history.Messages[i]));
            }
        }

        var used = system.Sum(n => tokens.Count(n?.ToJsonString() ?? "") + 4);
        var injected = new StringBuilder();
        if (background.Length > 0 || elsewhere.Count > 0)
        {
            injected.Append(InjectedPreamble);
            if (background.Length > 0)
            {
                injected.Append("\n\n").Append(background);
            }

            if (elsewhere.Count > 0)
            {
                injected.Append("\n\nRecent messages in this session that are not in this conversation:\n").AppendJoin('\n', elsewhere);
            }

            used += tokens.Count(injected.ToString()) + 4;
        }

        var keepFrom = conversation.Count;
        var remaining = limit - used;
        for (var i = conversation.Count - 1; i >= 0; i--)
        {
            remaining -= tokens.Count(conversation[i].Message.Text) + 4;
            if (remaining < 0 && i < conversation.Count - 1)
            {
                break;
            }

            keepFrom = i;
        }

        // Start at a user message: a tool result or an answer without what it answers confuses any model.
        while (keepFrom > 0 && keepFrom < conversation.Count && conversation[keepFrom].Message.Role != EventRole.User)
        {
            keepFrom++;
        }

        if (keepFrom >= conversation.Count)
        {
            keepFrom = conversation.FindLastIndex(c => c.Message.Role == EventRole.User) is var lastUser and >= 0 ? lastUser : conversation.Count - 1;
        }

        if (keepFrom > 0)
        {
            injected.Append(injected.Length == 0 ? InjectedPreamble : "").Append("\n\nThe older part of this conversation is left out here; the summaries above stand for it.");
        }

        foreach (var node in system)
        {
            messages.Add(node);
        }

        if (injected.Length > 0)
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = injected.ToString() });
        }

        foreach (var (node, _) in conversation.Skip(keepFrom))
        {
            messages.Add(node);
        }

        body["messages"] = messages;
    }

    private async Task ForwardAsync(HttpContext http, byte[] payload, ResolvedUpstream upstream, GatewayHistory history, Session? session, bool stream, bool clientWantsUsage, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, upstream.ChatCompletions) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = Json;
        if (upstream.ApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (stream)
        {
            request.Headers.Accept.ParseAdd("text/event-stream");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(upstream.Timeout);
        HttpResponseMessage response;
        var waiting = GatewayTelemetry.Source.StartActivity("gateway.upstream");
        try
        {
            response = await upstreams.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GatewayRequestException(504, $"The upstream '{upstream.Name}' did not answer within {upstream.Timeout.TotalSeconds:0.#} seconds.", "upstream_timeout");
        }
        catch (HttpRequestException ex)
        {
            LogUpstreamUnreachable(logger, upstream.Name, ex);
            throw new GatewayRequestException(502, $"The upstream '{upstream.Name}' could not be reached.", "upstream_unreachable");
        }
        finally
        {
            waiting?.Dispose();
        }

        using var relaying = GatewayTelemetry.Source.StartActivity("gateway.relay");
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                await RelayErrorAsync(http, response, upstream, timeout.Token, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (stream)
            {
                await RelayStreamAsync(http, response, upstream, history, session, started, clientWantsUsage, timeout, cancellationToken).ConfigureAwait(false);
                return;
            }

            byte[] answer;
            try
            {
                answer = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new GatewayRequestException(504, $"The upstream '{upstream.Name}' did not finish its answer within {upstream.Timeout.TotalSeconds:0.#} seconds.", "upstream_timeout");
            }

            var latency = time.GetElapsedTime(started);
            http.Response.StatusCode = 200;
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = answer.Length;
            try
            {
                await http.Response.Body.WriteAsync(answer, cancellationToken).ConfigureAwait(false);
                await http.Response.CompleteAsync().ConfigureAwait(false);
            }
            finally
            {
                // After the client has its answer (or has gone: the upstream answered, so it is kept all the same).
                if (session is not null)
                {
                    recorder.Enqueue(session.Id, history, StreamAccumulator.FromCompletion(answer).AnswerEvent(history.AnswerKey, upstream, latency, incomplete: false));
                }
            }
        }
    }

    private static async Task RelayErrorAsync(HttpContext http, HttpResponseMessage response, ResolvedUpstream upstream, CancellationToken timeout, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            text = "";
        }

        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            http.Response.Headers.RetryAfter = retryAfter.ToString();
        }

        try
        {
            if (JsonNode.Parse(text) is JsonObject { } parsed && parsed["error"] is JsonObject)
            {
                await http.Response.WriteAsync(text, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        catch (JsonException)
        {
            // Not OpenAI's shape: wrapped below.
        }

        var detail = text.Length > 500 ? text[..500] : text;
        await http.Response.WriteAsync(OpenAIError.Body($"The upstream '{upstream.Name}' answered {status}: {detail}", OpenAIError.TypeFor(status), "upstream_error").ToJsonString(), cancellationToken).ConfigureAwait(false);
    }

    private async Task RelayStreamAsync(HttpContext http, HttpResponseMessage response, ResolvedUpstream upstream, GatewayHistory history, Session? session, long started, bool clientWantsUsage, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var accumulated = new StreamAccumulator();
        var done = false;
        var clientGone = false;
        string? failure = null;
        var upstreamStream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        await using (upstreamStream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(upstreamStream, Encoding.UTF8);
            try
            {
                while (true)
                {
                    timeout.CancelAfter(upstream.Timeout);
                    string? line;
                    try
                    {
                        line = await reader.ReadLineAsync(timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        failure = "upstream_timeout";
                        break;
                    }
                    catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                    {
                        failure = "upstream_unreachable";
                        break;
                    }

                    if (line is null)
                    {
                        break;
                    }

                    if (line.Length == 0)
                    {
                        continue;
                    }

                    if (!line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        // Comments and other fields (keep-alives) pass as they are.
                        await http.Response.WriteAsync(line + "\n\n", cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    var data = line.AsMemory(5).TrimStart();
                    if (data.Span.SequenceEqual("[DONE]"))
                    {
                        done = true;
                        break;
                    }

                    if (accumulated.Add(data) || clientWantsUsage)
                    {
                        await WriteDataAsync(http.Response.Body, data, cancellationToken).ConfigureAwait(false);
                        await http.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
            {
                clientGone = true;
            }
        }

        clientGone |= cancellationToken.IsCancellationRequested;
        try
        {
            if (clientGone)
            {
                return;
            }

            if (failure is not null)
            {
                var message = failure == "upstream_timeout"
                    ? $"The upstream '{upstream.Name}' stopped sending for {upstream.Timeout.TotalSeconds:0.#} seconds."
                    : $"The upstream '{upstream.Name}' broke off its answer.";
                await http.Response.WriteAsync("data: " + OpenAIError.Body(message, failure == "upstream_timeout" ? "timeout_error" : "server_error", failure).ToJsonString() + "\n\n", cancellationToken).ConfigureAwait(false);
                return;
            }

            await http.Response.Body.WriteAsync(DoneLine, cancellationToken).ConfigureAwait(false);
            await http.Response.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            // After the client has the end of the stream; a client that went away leaves what it was sent, marked
            // incomplete, even though its request is over.
            if (session is not null && (done || accumulated.HasContent))
            {
                recorder.Enqueue(session.Id, history, accumulated.AnswerEvent(history.AnswerKey, upstream, time.GetElapsedTime(started), incomplete: !done));
            }
        }
    }

    // No upstream for the model: the answering pipeline answers from what Continuum holds (or from a chat client
    // registered in DI), recorded as any answer is.
    private async Task AnswerWithoutModelAsync(HttpContext http, GatewayHistory history, Session? session, bool stream, CancellationToken cancellationToken)
    {
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var lastUser = history.Messages.FindLastIndex(m => m.Role == EventRole.User);
        if (lastUser < 0)
        {
            throw new GatewayRequestException(400, "With no model configured the gateway answers a user message; send one.", "missing_user_message", "messages");
        }

        if (session is null)
        {
            const string nothing = "No chat model is configured, and this request names no session or user (X-Continuum-Session, X-Continuum-User or the user field), so there is nothing to answer from.";
            await WriteWholeAnswerAsync(http, id, created, UpstreamsNoModel, nothing, stream, cancellationToken).ConfigureAwait(false);
            return;
        }

        await recorder.RecordAsync(session.Id, history.Before(lastUser), null, cancellationToken).ConfigureAwait(false);
        var turn = new ChatTurnRequest(session.Id, history.Messages[lastUser].Text) { IdempotencyKey = history.Messages[lastUser].Key };
        if (!stream)
        {
            var answer = await turns.AnswerAsync(turn, cancellationToken).ConfigureAwait(false);
            recorder.Recorded(session.Id, history.Messages[lastUser].Key!);
            await WriteWholeAnswerAsync(http, id, created, answer.Model ?? UpstreamsNoModel, answer.Text, stream: false, cancellationToken).ConfigureAwait(false);
            return;
        }

        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await WriteChunkAsync(http, id, created, UpstreamsNoModel, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null, cancellationToken).ConfigureAwait(false);
        await foreach (var update in turns.AnswerStreamingAsync(turn, cancellationToken).ConfigureAwait(false))
        {
            await WriteChunkAsync(http, id, created, UpstreamsNoModel, new JsonObject { ["content"] = update.Text }, null, cancellationToken).ConfigureAwait(false);
        }

        recorder.Recorded(session.Id, history.Messages[lastUser].Key!);
        await WriteChunkAsync(http, id, created, UpstreamsNoModel, [], "stop", cancellationToken).ConfigureAwait(false);
        await http.Response.WriteAsync("data: [DONE]\n\n", cancellationToken).ConfigureAwait(false);
    }

    private const string UpstreamsNoModel = GatewayUpstreams.NoModelName;

    // One piece as one write, "data: " and its JSON and the blank line, from a pooled buffer (no string built for it).
    private static async ValueTask WriteDataAsync(Stream body, ReadOnlyMemory<char> data, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(8 + Encoding.UTF8.GetMaxByteCount(data.Length));
        try
        {
            "data: "u8.CopyTo(buffer);
            var length = 6 + Encoding.UTF8.GetBytes(data.Span, buffer.AsSpan(6));
            buffer[length++] = (byte)'\n';
            buffer[length++] = (byte)'\n';
            await body.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteWholeAnswerAsync(HttpContext http, string id, long created, string model, string text, bool stream, CancellationToken cancellationToken)
    {
        if (stream)
        {
            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/event-stream";
            await WriteChunkAsync(http, id, created, model, new JsonObject { ["role"] = "assistant", ["content"] = text }, null, cancellationToken).ConfigureAwait(false);
            await WriteChunkAsync(http, id, created, model, [], "stop", cancellationToken).ConfigureAwait(false);
            await http.Response.WriteAsync("data: [DONE]\n\n", cancellationToken).ConfigureAwait(false);
            return;
        }

        var completion = new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 0, ["completion_tokens"] = 0, ["total_tokens"] = 0 },
        };
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(completion.ToJsonString(), cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteChunkAsync(HttpContext http, string id, long created, string model, JsonObject delta, string? finish, CancellationToken cancellationToken)
    {
        var chunk = new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
        await http.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", cancellationToken).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The gateway's upstream {Upstream} could not be reached")]
    private static partial void LogUpstreamUnreachable(ILogger logger, string upstream, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The store was unavailable to the gateway")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);
}
