using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Continuum.Agents;
using Continuum.AspNetCore.Security;
using Continuum.Json;
using Continuum.Realtime;
using Continuum.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Continuum.AspNetCore;

/// <summary>
/// <c>/api/stream</c>: a WebSocket over which a client follows agent inboxes (<c>inbox:SESSION</c>), sessions' new
/// events (<c>session:SESSION</c>) and shared-memory namespaces (<c>memory:NAMESPACE</c>). Every item carries its
/// topic's cursor; a client that reconnects with the last cursors it saw gets everything after them, once and in
/// order. The store is the source of what is sent; change notices only say when to look.
/// </summary>
internal static class StreamEndpoint
{
    private const int Batch = 200;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    public static void Map(IEndpointRouteBuilder api) =>
        api.Map("/stream", HandleAsync).WithTags("Stream").WithSummary("WebSocket: subscribe to inboxes, sessions and shared-memory namespaces with resumable cursors.")
            .AcceptKeyInWebSocketProtocol().AllowBoundKeys(BoundKeyAccess.User);

    private static async Task HandleAsync(HttpContext context, IChangeFeed feed, IMessageHub hub, IAgentStreamSource source, ISessionService sessions, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new Errors.ValidationException("connection", "/api/stream is a WebSocket: connect with an Upgrade: websocket request.");
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(WebSocketKeyProtocol.Select(context)).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        using var connection = new Connection(socket, hub, source, sessions, loggers.CreateLogger("Continuum.Stream"));
        using var subscription = feed.Subscribe(connection.Notice);
        var receiving = connection.ReceiveAsync(stop.Token);
        var sending = connection.SendAsync(stop.Token);
        await Task.WhenAny(receiving, sending).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(receiving, sending).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The client went away; its cursors are its own to resume from.
        }

        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).ConfigureAwait(false);
        }
    }

    private sealed class Connection(WebSocket socket, IMessageHub hub, IAgentStreamSource source, ISessionService sessions, ILogger logger) : IDisposable
    {
        private readonly ConcurrentDictionary<string, long> _cursors = new(StringComparer.Ordinal);
        private readonly Channel<object> _control = Channel.CreateUnbounded<object>();
        private readonly SemaphoreSlim _wake = new(0, 1);

        public void Dispose() => _wake.Dispose();

        public void Notice(ChangeNotice notice)
        {
            if (_cursors.ContainsKey(notice.Topic))
            {
                Wake();
            }
        }

        public async Task ReceiveAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[64 * 1024];
            while (!cancellationToken.IsCancellationRequested)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                    if (message.Length > 1024 * 1024)
                    {
                        await _control.Writer.WriteAsync(Error("A client message is limited to 1 MiB."), cancellationToken).ConfigureAwait(false);
                        return;
                    }
                }
                while (!result.EndOfMessage);

                await HandleAsync(message.ToArray(), cancellationToken).ConfigureAwait(false);
            }
        }

        public async Task SendAsync(CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                while (_control.Reader.TryRead(out var control))
                {
                    await WriteAsync(control, cancellationToken).ConfigureAwait(false);
                }

                foreach (var (topic, cursor) in _cursors)
                {
                    await DrainAsync(topic, cursor, cancellationToken).ConfigureAwait(false);
                }

                await _wake.WaitAsync(Poll, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task HandleAsync(byte[] text, CancellationToken cancellationToken)
        {
            try
            {
                using var json = JsonDocument.Parse(text);
                var root = json.RootElement;
                var op = root.TryGetProperty("op", out var o) ? o.GetString() : null;
                var topics = root.TryGetProperty("topics", out var t) && t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
                switch (op)
                {
                    case "subscribe":
                        var (inboxEnd, sharedEnd) = await source.StreamEndAsync(cancellationToken).ConfigureAwait(false);
                        var added = new List<object>();
                        foreach (var topic in topics)
                        {
                            await AuthorizeAsync(topic, cancellationToken).ConfigureAwait(false);
                            long? given = root.TryGetProperty("cursors", out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty(topic, out var v) && v.TryGetInt64(out var n) ? n : null;
                            var start = given ?? await EndAsync(topic, inboxEnd, sharedEnd, cancellationToken).ConfigureAwait(false);
                            _cursors[topic] = start;
                            added.Add(new { topic, cursor = start });
                        }

                        await _control.Writer.WriteAsync(new { type = "subscribed", topics = added }, cancellationToken).ConfigureAwait(false);
                        break;
                    case "unsubscribe":
                        topics.ForEach(topic => _cursors.TryRemove(topic, out _));
                        await _control.Writer.WriteAsync(new { type = "unsubscribed", topics }, cancellationToken).ConfigureAwait(false);
                        break;
                    case "ping":
                        await _control.Writer.WriteAsync(new { type = "pong" }, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        await _control.Writer.WriteAsync(Error("Send {\"op\": \"subscribe\", \"topics\": [\"inbox:SESSION\", \"session:SESSION\", \"memory:NAMESPACE\"], \"cursors\": {\"TOPIC\": N}}."), cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or Errors.ContinuumException)
            {
                await _control.Writer.WriteAsync(Error(ex.Message), cancellationToken).ConfigureAwait(false);
            }

            Wake();
        }

        // A key bound to one user follows that user's sessions only: the agents' inboxes and shared memory are not
        // one user's, and another user's session is unknown to it (checked even when the client names a cursor).
        private async Task AuthorizeAsync(string topic, CancellationToken cancellationToken)
        {
            if (Continuum.Security.CallerAccess.BoundUser is null)
            {
                return;
            }

            var (kind, id) = Split(topic);
            if (kind is "inbox" or "memory")
            {
                Continuum.Security.CallerAccess.RequireNotUserBound("follow agent inboxes or shared memory");
            }
            else if (kind == "session" && await sessions.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new Errors.NotFoundException("session", id);
            }
        }

        private async Task<long> EndAsync(string topic, long inboxEnd, long sharedEnd, CancellationToken cancellationToken)
        {
            var (kind, id) = Split(topic);
            return kind switch
            {
                "inbox" => inboxEnd,
                "memory" => sharedEnd,
                "session" => (await sessions.GetAsync(id, cancellationToken).ConfigureAwait(false))?.LastSeq
                    ?? throw new Errors.NotFoundException("session", id),
                _ => throw new Errors.ValidationException("topics", $"'{topic}' is not inbox:SESSION, session:SESSION or memory:NAMESPACE."),
            };
        }

        private async Task DrainAsync(string topic, long cursor, CancellationToken cancellationToken)
        {
            var (kind, id) = Split(topic);
            while (true)
            {
                IReadOnlyList<(long Cursor, object Data)> items = kind switch
                {
                    "inbox" => [.. (await hub.InboxAsync(id, new InboxQuery(After: cursor, Limit: Batch), cancellationToken).ConfigureAwait(false)).Items.Select(m => (m.Position, (object)m))],
                    "memory" => [.. (await source.SharedChangesAsync(id, cursor, Batch, cancellationToken).ConfigureAwait(false)).Select(e => (e.Position, (object)e))],
                    "session" => [.. (await sessions.ListEventsAsync(id, cursor, Batch, cancellationToken).ConfigureAwait(false)).Items.Select(e => (e.Seq, (object)e))],
                    _ => [],
                };
                var type = kind switch { "inbox" => "message", "memory" => "memory", _ => "event" };
                foreach (var (position, data) in items)
                {
                    await WriteAsync(new { type, topic, cursor = position, data }, cancellationToken).ConfigureAwait(false);
                    cursor = position;
                }

                // Only this loop moves cursors forward; a topic unsubscribed meanwhile is left out.
                if (items.Count > 0 && _cursors.ContainsKey(topic))
                {
                    _cursors[topic] = cursor;
                }

                if (items.Count < Batch)
                {
                    return;
                }
            }
        }

        private async Task WriteAsync(object payload, CancellationToken cancellationToken)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(payload, JsonDefaults.Options);
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }

        private void Wake()
        {
            try
            {
                if (_wake.CurrentCount == 0)
                {
                    _wake.Release();
                }
            }
            catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
            {
                // Already awake, or the connection is gone.
            }
        }

        private object Error(string detail)
        {
            logger.LogDebug("Stream client error: {Detail}", detail);
            return new { type = "error", detail };
        }

        private static (string Kind, string Id) Split(string topic)
        {
            var colon = topic.IndexOf(':', StringComparison.Ordinal);
            return colon <= 0 ? (topic, "") : (topic[..colon], topic[(colon + 1)..]);
        }
    }
}
