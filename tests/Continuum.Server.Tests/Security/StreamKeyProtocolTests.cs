using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Continuum.AspNetCore.Security;
using Continuum.Server.Tests.Api;
using Microsoft.Extensions.Logging;

namespace Continuum.Server.Tests.Security;

/// <summary>
/// A browser cannot set Authorization on a WebSocket: the stream takes the key as a subprotocol
/// (<c>continuum.bearer.KEY</c>), answers <c>continuum</c>, and confines a user-bound key to that user's sessions.
/// </summary>
public sealed class StreamKeyProtocolTests
{
    [Fact]
    public async Task A_user_bound_key_sent_as_a_subprotocol_follows_its_users_session_and_nothing_else_and_is_never_logged()
    {
        using var logs = new LogCapture(LogLevel.Trace);
        await using var server = await ApiServer.StartAsync(logs, "--Continuum:Security:RequireKeys", "true");
        var admin = await KeyedClient.WithNewKeyAsync(server, "default", "read,write,admin");
        var mine = (await admin.SendAsync(HttpMethod.Post, "api/sessions", new { identity = new { @interface = "web", externalUserId = "stream-me" }, @interface = "web" })).Json;
        var theirs = (await admin.SendAsync(HttpMethod.Post, "api/sessions", new { identity = new { @interface = "web", externalUserId = "stream-them" }, @interface = "web" })).Json;
        var key = await KeyedClient.CreateKeyAsync(server, "default", "read", userId: (string)mine["userId"]!);

        using var socket = await ConnectAsync(server, WebSocketKeyProtocol.Protocol, WebSocketKeyProtocol.BearerPrefix + key.Secret);
        socket.SubProtocol.ShouldBe(WebSocketKeyProtocol.Protocol, "the server answers the plain protocol, never the one holding the key");
        await SendAsync(socket, new JsonObject { ["op"] = "subscribe", ["topics"] = new JsonArray($"session:{mine["id"]}") });
        ((string)(await ReceiveAsync(socket))["type"]!).ShouldBe("subscribed");
        (await admin.SendAsync(HttpMethod.Post, $"api/sessions/{mine["id"]}/events", new { content = "pushed to the browser" })).Status.ShouldBe(HttpStatusCode.Created);
        var item = await ReceiveAsync(socket);
        ((string)item["data"]!["content"]!).ShouldBe("pushed to the browser");

        // Another user's session, even with a cursor, and the agents' inboxes and shared memory are refused.
        foreach (var topic in new[] { $"session:{theirs["id"]}", $"inbox:{mine["id"]}", "memory:default" })
        {
            await SendAsync(socket, new JsonObject { ["op"] = "subscribe", ["topics"] = new JsonArray(topic), ["cursors"] = new JsonObject { [topic] = 0 } });
            ((string)(await ReceiveAsync(socket))["type"]!).ShouldBe("error", topic);
        }

        logs.Entries.ShouldAllBe(e => !e.Contains(key.Secret, StringComparison.Ordinal), "the key is never logged");
    }

    [Fact]
    public async Task The_stream_refuses_no_key_and_a_bad_key_and_no_other_route_reads_a_key_from_the_subprotocol()
    {
        await using var server = await ApiServer.StartAsync("--Continuum:Security:RequireKeys", "true");
        var key = await KeyedClient.CreateKeyAsync(server, "default", "read");

        (await Should.ThrowAsync<WebSocketException>(() => ConnectAsync(server, WebSocketKeyProtocol.Protocol))).Message.ShouldContain("401");
        (await Should.ThrowAsync<WebSocketException>(() => ConnectAsync(server, WebSocketKeyProtocol.Protocol, WebSocketKeyProtocol.BearerPrefix + "ck_live_notakey_xyz"))).Message.ShouldContain("401");
        using (var ok = await ConnectAsync(server, WebSocketKeyProtocol.Protocol, WebSocketKeyProtocol.BearerPrefix + key.Secret))
        {
            ok.State.ShouldBe(WebSocketState.Open);
        }

        // On an ordinary route the header carries nothing: that is still a request without a key.
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/sessions");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Protocol", WebSocketKeyProtocol.BearerPrefix + key.Secret);
        var response = await server.Http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    private static async Task<ClientWebSocket> ConnectAsync(ApiServer server, params string[] protocols)
    {
        var socket = new ClientWebSocket();
        foreach (var protocol in protocols)
        {
            socket.Options.AddSubProtocol(protocol);
        }

        var uri = new UriBuilder(server.Http.BaseAddress!) { Scheme = "ws", Path = "/api/stream" }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(uri, timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Task SendAsync(ClientWebSocket socket, JsonObject message) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonObject> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
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
