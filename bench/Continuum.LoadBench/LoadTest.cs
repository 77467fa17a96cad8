using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Continuum.Bench;

namespace Continuum.LoadBench;

/// <summary>
/// Many clients at once, each on its own session with the stream connected, chat turns for a while; then every
/// session is read back and checked against what was acknowledged, and every stream against the store.
/// </summary>
internal static class LoadTest
{
    public static async Task<bool> RunAsync(Options options, string? database, CancellationToken cancellationToken)
    {
        await using var server = await ServerProcess.StartAsync(options.Server, database, [], cancellationToken);
        using var api = new Api(server.Address, options.Clients);
        var clients = new Client[options.Clients];
        var tag = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < clients.Length; i++)
        {
            var (session, _) = await api.OpenSessionAsync($"load-{tag}-{i}", cancellationToken);
            clients[i] = new Client(i, session);
        }

        var streamUri = new Uri($"ws://{server.Address.Authority}/api/stream");
        await Task.WhenAll(clients.Select(c => c.ConnectAsync(streamUri, cancellationToken)));
        Console.WriteLine($"{clients.Length:N0} sessions open, {clients.Count(c => c.Subscribed)} streams subscribed; turns for {options.Seconds:0.#} s");

        var rss = new List<(double At, long Bytes)>();
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(options.Seconds * Stopwatch.Frequency);
        var cpuBefore = server.Cpu;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = Task.Run(async () =>
        {
            using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await tick.WaitForNextTickAsync(sampling.Token).ConfigureAwait(false))
            {
                rss.Add((Stopwatch.GetElapsedTime(started).TotalSeconds, server.Rss));
            }
        }, sampling.Token);

        await Task.WhenAll(clients.Select(c => Task.Run(() => c.TurnsAsync(api, end, cancellationToken), cancellationToken)));
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = server.Cpu - cpuBefore;
        await sampling.CancelAsync();
        await sampler.ContinueWith(_ => { }, TaskScheduler.Default);

        var log = PhaseResult.From("turns", clients.Length, new Window(started, Stopwatch.GetTimestamp()), [.. clients.Select(c => c.Log)]);
        var turns = clients.Sum(c => c.Turns);
        Console.WriteLine($"turns: {turns:N0} in {elapsed:F1} s = {turns / elapsed:N0}/s; p50 {log.P50Ms:F1} ms, p99 {log.P99Ms:F1} ms, max {log.MaxMs:F0} ms; {log.Errors} errors{(log.FirstError is { } first ? $", first: {first}" : "")}");
        Console.WriteLine($"server cpu: {cpu.TotalMilliseconds / Math.Max(1, turns):F2} ms a turn, {cpu.TotalSeconds / elapsed * 100:F0}% of {Environment.ProcessorCount * 100}%");

        // Each session is read back: seq 1..n without a gap, and its messages exactly the acknowledged turns in order
        // (a context load also records which memories it used, as a state event between them).
        var lost = 0;
        var wrong = 0;
        var good = 0;
        var stored = new long[clients.Length];
        foreach (var client in clients)
        {
            var events = await api.ReadAllAsync(client.SessionId, 10_000, cancellationToken);
            stored[client.Index] = events.Count == 0 ? 0 : events[^1].Seq;
            var messages = events.Where(e => e.Type == "message").ToList();
            var countOk = messages.Count == client.Turns * 2;
            var orderOk = !events.Where((e, k) => e.Seq != k + 1).Any()
                && !messages.Where((e, k) => e.Content != (k % 2 == 0 ? Chat.User(client.Index, k / 2) : Chat.Reply(client.Index, k / 2))).Any();
            lost += countOk ? 0 : 1;
            wrong += orderOk ? 0 : 1;
            good += countOk && orderOk ? 1 : 0;
        }

        // Then every stream must reach the end of its session, in order.
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (clients.Any(c => c.StreamLast < stored[c.Index]) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(200, cancellationToken);
        }

        var streamGaps = clients.Sum(c => c.StreamDisorder);
        var streamBehind = clients.Count(c => c.StreamLast != stored[c.Index]);
        foreach (var client in clients)
        {
            await client.CloseAsync();
        }

        Console.WriteLine($"verified: {good:N0} of {clients.Length:N0} sessions hold exactly the acknowledged events in order; {lost} with events lost or extra, {wrong} out of order or changed");
        Console.WriteLine($"streams: {streamGaps} gaps or reorders, {streamBehind} streams behind the store at the end, {clients.Sum(c => c.StreamEvents):N0} events delivered");
        if (rss.Count >= 4)
        {
            var tenth = Math.Max(1, rss.Count / 10);
            double Mb(IEnumerable<(double, long Bytes)> s) => s.Average(x => x.Bytes) / (1024.0 * 1024);
            Console.WriteLine($"server rss: first 10% of the run {Mb(rss.Take(tenth)):F0} MB, middle {Mb(rss.Skip(rss.Count / 2 - tenth / 2).Take(tenth)):F0} MB, last 10% {Mb(rss.TakeLast(tenth)):F0} MB, max {rss.Max(x => x.Bytes) / (1024.0 * 1024):F0} MB ({rss.Count} samples)");
        }

        return log.Errors == 0 && lost == 0 && wrong == 0 && streamGaps == 0 && streamBehind == 0;
    }

    private sealed class Client(int index, string sessionId)
    {
        private readonly ClientWebSocket _socket = new();
        private Task? _receiving;

        public int Index { get; } = index;

        public string SessionId { get; } = sessionId;

        public ClientLog Log { get; } = new();

        public int Turns { get; private set; }

        public bool Subscribed { get; private set; }

        public long StreamLast { get; private set; }

        public int StreamDisorder { get; private set; }

        public long StreamEvents { get; private set; }

        public async Task ConnectAsync(Uri uri, CancellationToken cancellationToken)
        {
            await _socket.ConnectAsync(uri, cancellationToken);
            var subscribe = Encoding.UTF8.GetBytes($$$"""{"op":"subscribe","topics":["session:{{{SessionId}}}"],"cursors":{"session:{{{SessionId}}}":0}}""");
            await _socket.SendAsync(subscribe, WebSocketMessageType.Text, true, cancellationToken);
            var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _receiving = Task.Run(() => ReceiveAsync(subscribed), CancellationToken.None);
            await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            Subscribed = true;
        }

        public async Task TurnsAsync(Api api, long end, CancellationToken cancellationToken)
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await api.TurnAsync(SessionId, Index, Turns, cancellationToken);
                    Log.Ticks.Add(Stopwatch.GetTimestamp() - started);
                    Turns++;
                }
                catch (Exception e) when (e is BenchFailure or HttpRequestException or TaskCanceledException)
                {
                    // A failed turn may or may not be stored: the run fails, and the read-back is not trusted.
                    Log.Fail(e.Message);
                    return;
                }
            }
        }

        private async Task ReceiveAsync(TaskCompletionSource subscribed)
        {
            var buffer = new byte[256 * 1024];
            try
            {
                while (_socket.State == WebSocketState.Open)
                {
                    var count = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                        count += result.Count;
                    }
                    while (!result.EndOfMessage && count < buffer.Length);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    using var item = JsonDocument.Parse(buffer.AsMemory(0, count));
                    var type = item.RootElement.GetProperty("type").GetString();
                    if (type == "subscribed")
                    {
                        subscribed.TrySetResult();
                    }
                    else if (type == "event")
                    {
                        var seq = item.RootElement.GetProperty("cursor").GetInt64();
                        if (seq != StreamLast + 1)
                        {
                            StreamDisorder++;
                        }

                        StreamLast = seq;
                        StreamEvents++;
                    }
                }
            }
            catch (WebSocketException)
            {
                // Closed at the end of the run.
            }
        }

        public async Task CloseAsync()
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }

            if (_receiving is not null)
            {
                await Task.WhenAny(_receiving, Task.Delay(TimeSpan.FromSeconds(5)));
            }

            _socket.Dispose();
        }
    }
}
