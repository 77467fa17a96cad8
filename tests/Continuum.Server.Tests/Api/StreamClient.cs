using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Continuum.Server.Tests.Api;

/// <summary>A client of <c>/api/stream</c>: connects, subscribes, and reads one frame at a time.</summary>
public static class StreamClient
{
    /// <summary>Connects to the server's stream and sends <paramref name="subscribe"/>; returns once it is acknowledged.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(ApiServer server, string subscribe)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(server.Http.BaseAddress!) { Scheme = "ws", Path = "/api/stream" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes(subscribe), WebSocketMessageType.Text, true, CancellationToken.None);
        var ack = await ReceiveAsync(socket);
        ((string)ack["type"]!).ShouldBe("subscribed");
        return socket;
    }

    /// <summary>The next frame, within 10 s.</summary>
    public static async Task<JsonObject> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[256 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return JsonNode.Parse(message.ToArray())!.AsObject();
    }
}
