using Continuum.Client;

namespace Continuum.Server.Tests.Api;

/// <summary>The typed stream client against a test server, with a 10 s limit on every wait.</summary>
public static class StreamClient
{
    /// <summary>Connects to the server's stream and subscribes to <paramref name="topics"/>; returns once it is acknowledged.</summary>
    public static async Task<ContinuumStreamClient> ConnectAsync(ApiServer server, string[] topics, Dictionary<string, long>? cursors = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var stream = await ContinuumStreamClient.ConnectAsync(server.Http.BaseAddress!, topics, cursors, timeout.Token);
        stream.Cursors.Keys.ShouldBe(topics, ignoreOrder: true);
        return stream;
    }

    /// <summary>The next item, within 10 s.</summary>
    public static async Task<StreamItem> ReceiveAsync(ContinuumStreamClient stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await stream.ReceiveAsync(timeout.Token);
    }
}
