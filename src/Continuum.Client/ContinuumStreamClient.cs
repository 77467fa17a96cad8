using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Continuum.Errors;
using Continuum.Json;

namespace Continuum.Client;

/// <summary>
/// A client of the server's live stream (<c>/api/stream</c>): subscribes to topics and reads their items in order,
/// remembering each topic's last cursor. <see cref="FollowAsync"/> reconnects by itself and resumes from those
/// cursors, so nothing sent meanwhile is missed and nothing comes twice.
/// </summary>
public sealed class ContinuumStreamClient : IAsyncDisposable
{
    private const int MaxFrameBytes = 16 * 1024 * 1024;
    private readonly ClientWebSocket _socket;
    private readonly Dictionary<string, long> _cursors;
    private readonly byte[] _buffer = new byte[64 * 1024];

    private ContinuumStreamClient(ClientWebSocket socket, Dictionary<string, long> cursors)
    {
        _socket = socket;
        _cursors = cursors;
    }

    /// <summary>Each subscribed topic's cursor: where it started, then the cursor of the last item read from it.</summary>
    public IReadOnlyDictionary<string, long> Cursors => _cursors;

    /// <summary>
    /// Connects to <paramref name="server"/>'s stream and subscribes to <paramref name="topics"/>, each from its cursor in
    /// <paramref name="cursors"/> (a topic without one starts at the present); returns once the server has confirmed.
    /// </summary>
    public static async Task<ContinuumStreamClient> ConnectAsync(Uri server, IReadOnlyCollection<string> topics, IReadOnlyDictionary<string, long>? cursors = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(topics);
        var socket = new ClientWebSocket();
        try
        {
            var uri = new UriBuilder(server) { Scheme = server.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Path = server.AbsolutePath.TrimEnd('/') + "/api/stream" }.Uri;
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            var given = cursors?.Where(c => topics.Contains(c.Key)).ToDictionary(StringComparer.Ordinal);
            var subscribe = JsonSerializer.SerializeToUtf8Bytes(new { op = "subscribe", topics, cursors = given is { Count: > 0 } ? given : null }, JsonDefaults.Options);
            await socket.SendAsync(subscribe, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            var stream = new ContinuumStreamClient(socket, new Dictionary<string, long>(StringComparer.Ordinal));
            while (true)
            {
                using var frame = await stream.ReceiveFrameAsync(cancellationToken).ConfigureAwait(false);
                if (frame.RootElement.GetProperty("type").GetString() is not "subscribed")
                {
                    continue;
                }

                foreach (var topic in frame.RootElement.GetProperty("topics").EnumerateArray())
                {
                    stream._cursors[topic.GetProperty("topic").GetString()!] = topic.GetProperty("cursor").GetInt64();
                }

                return stream;
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Follows <paramref name="topics"/> until cancelled: every item once and in order, reconnecting after a dropped
    /// connection (waiting <paramref name="retryDelay"/>, default 1 s) and resuming from the last cursors.
    /// <paramref name="onInterrupted"/> hears of each interruption.
    /// </summary>
    public static async IAsyncEnumerable<StreamItem> FollowAsync(
        Uri server,
        IReadOnlyCollection<string> topics,
        IReadOnlyDictionary<string, long>? cursors = null,
        Action<Exception>? onInterrupted = null,
        TimeSpan? retryDelay = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var resume = new Dictionary<string, long>(cursors ?? new Dictionary<string, long>(), StringComparer.Ordinal);
        while (!cancellationToken.IsCancellationRequested)
        {
            ContinuumStreamClient? stream = null;
            try
            {
                stream = await ConnectAsync(server, topics, resume, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsInterruption(ex) && !cancellationToken.IsCancellationRequested)
            {
                onInterrupted?.Invoke(ex);
            }

            if (stream is not null)
            {
                await using (stream.ConfigureAwait(false))
                {
                    while (true)
                    {
                        StreamItem item;
                        try
                        {
                            item = await stream.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (IsInterruption(ex) && !cancellationToken.IsCancellationRequested)
                        {
                            onInterrupted?.Invoke(ex);
                            break;
                        }

                        resume[item.Topic] = item.Cursor;
                        yield return item;
                    }
                }
            }

            await Task.Delay(retryDelay ?? TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The next item of any subscribed topic; control frames (pong, unsubscribed) are passed over, an error frame throws.</summary>
    public async Task<StreamItem> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            using var frame = await ReceiveFrameAsync(cancellationToken).ConfigureAwait(false);
            var root = frame.RootElement;
            switch (root.GetProperty("type").GetString())
            {
                case "message" or "event" or "memory":
                    var item = new StreamItem(root.GetProperty("type").GetString()!, root.GetProperty("topic").GetString()!, root.GetProperty("cursor").GetInt64(), root.GetProperty("data").Clone());
                    _cursors[item.Topic] = item.Cursor;
                    return item;
                case "error":
                    throw new ValidationException("stream", root.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "The stream refused a request." : "The stream refused a request.");
            }
        }
    }

    /// <summary>Every item of the subscribed topics, in order, until the connection ends or <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<StreamItem> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            yield return await ReceiveAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the connection (with a closing handshake when it is still open).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsInterruption(ex))
        {
            // Already gone: nothing to close.
        }
        finally
        {
            _socket.Dispose();
        }
    }

    private static bool IsInterruption(Exception ex) => ex is WebSocketException or HttpRequestException or IOException or OperationCanceledException;

    private async Task<JsonDocument> ReceiveFrameAsync(CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The server closed the stream.");
            }

            if (message.Length + result.Count > MaxFrameBytes)
            {
                throw new WebSocketException(WebSocketError.Faulted, "A stream frame is larger than 16 MiB.");
            }

            message.Write(_buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return JsonDocument.Parse(message.ToArray());
    }
}
