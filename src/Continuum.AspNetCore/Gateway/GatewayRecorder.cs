using System.Collections.Concurrent;
using Continuum.Sessions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Continuum.AspNetCore.Gateway;

/// <summary>
/// Records the gateway's exchanges: the messages of a history that are new since the session's last recorded one,
/// and the answer, in one batch (one transaction: all of the turn or none of it). <see cref="Enqueue"/> records after
/// the client has its answer, so a call never waits on the store's synced write. One session's exchanges are written
/// in call order, one write at a time; the exchanges that arrive while a write runs go together in the next one (one
/// transaction, one synced commit for all of them), so a session's calls are not held to one commit each. A call on a
/// session with exchanges not yet stored waits for them before its context is built, unless its own history already
/// holds them (the same client's next call), so the context never misses what another client was answered; and a
/// call waits while its session has <see cref="MaxQueued"/> exchanges not yet started, so a store slower than the
/// calls holds the callers back instead of queueing without end. A write that fails is logged and not retried: the
/// client's next call resends its history, whose keys record what is missing then. Stopping the host waits for the
/// writes in flight.
/// </summary>
internal sealed partial class GatewayRecorder(ISessionService sessions, ILogger<GatewayRecorder> logger) : IHostedService
{
    /// <summary>The most exchanges of one session waiting for their write before its calls wait too.</summary>
    public const int MaxQueued = 16;

    private const int MaxRememberedSessions = 100_000;
    private const int BatchLimit = 1000;

    // A write that is still running when the client is long gone must land, but not hang a shutdown.
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(15);

    private readonly Lock _lock = new();

    // The sessions with exchanges queued or being written.
    private readonly Dictionary<string, SessionWrites> _writes = new(StringComparer.Ordinal);

    // The key of the last event recorded for each session: a call then sends only what follows it in the history.
    // Only a shortcut: a missing or stale entry sends the whole history, whose keys the store replays.
    private readonly ConcurrentDictionary<string, string> _recorded = new(StringComparer.Ordinal);

    /// <summary>
    /// Waits until what is queued for <paramref name="sessionId"/> is stored, unless <paramref name="history"/> holds
    /// it already (it ends with a key the history has); then waits only while the session's queue is full.
    /// </summary>
    public Task SettledAsync(string sessionId, GatewayHistory history, CancellationToken cancellationToken)
    {
        Task wait;
        lock (_lock)
        {
            if (!_writes.TryGetValue(sessionId, out var writes))
            {
                return Task.CompletedTask;
            }

            if (!history.Contains(writes.LastKey))
            {
                wait = writes.Last.Task;
            }
            else if (writes.Queued.Count >= MaxQueued)
            {
                wait = writes.Queued[0].Done.Task;
            }
            else
            {
                return Task.CompletedTask;
            }
        }

        return wait.WaitAsync(cancellationToken);
    }

    /// <summary>Queues the exchange to be recorded after the session's earlier ones, without waiting for it.</summary>
    public void Enqueue(string sessionId, GatewayHistory history, NewEvent? answer)
    {
        var lastKey = answer?.IdempotencyKey ?? history.LastKey;
        if (lastKey is null)
        {
            return;
        }

        var exchange = new Exchange(history, answer, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_lock)
        {
            if (!_writes.TryGetValue(sessionId, out var writes))
            {
                _writes[sessionId] = writes = new SessionWrites();
            }

            writes.Queued.Add(exchange);
            writes.LastKey = lastKey;
            writes.Last = exchange.Done;
            if (!writes.Writing)
            {
                writes.Writing = true;
                _ = Task.Run(() => DrainAsync(sessionId, writes));
            }
        }
    }

    /// <summary>Records the exchange now (after the session's queued ones) and returns once it is stored.</summary>
    public async Task RecordAsync(string sessionId, GatewayHistory history, NewEvent? answer, CancellationToken cancellationToken)
    {
        Task before;
        lock (_lock)
        {
            before = _writes.TryGetValue(sessionId, out var writes) ? writes.Last.Task : Task.CompletedTask;
        }

        await before.WaitAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(sessionId, [(history, answer)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks <paramref name="key"/> as the last event recorded for the session (an answer recorded elsewhere).</summary>
    public void Recorded(string sessionId, string key) => Remember(sessionId, key);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task[] inFlight;
        lock (_lock)
        {
            inFlight = [.. _writes.Values.Select(w => w.Last.Task)];
        }

        try
        {
            await Task.WhenAll(inFlight).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogStoppedWithRecordingsInFlight(logger, inFlight.Count(t => !t.IsCompleted));
        }
    }

    private async Task DrainAsync(string sessionId, SessionWrites writes)
    {
        while (true)
        {
            List<Exchange> batch;
            lock (_lock)
            {
                if (writes.Queued.Count == 0)
                {
                    writes.Writing = false;
                    _writes.Remove(sessionId);
                    return;
                }

                batch = writes.Queued;
                writes.Queued = [];
            }

            try
            {
                using var timeout = new CancellationTokenSource(RecordTimeout);
                using var activity = GatewayTelemetry.Source.StartActivity("gateway.record");
                await WriteAsync(sessionId, [.. batch.Select(e => (e.History, e.Answer))], timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Whatever failed is logged, and the calls waiting on the session are let go all the same.
                LogNotRecorded(logger, sessionId, batch.Count, ex);
            }

            foreach (var exchange in batch)
            {
                exchange.Done.TrySetResult();
            }
        }
    }

    // The new events of each exchange, in order, after the last one recorded; one batch for all of them.
    private async Task WriteAsync(string sessionId, List<(GatewayHistory History, NewEvent? Answer)> exchanges, CancellationToken cancellationToken)
    {
        var tail = _recorded.TryGetValue(sessionId, out var last) ? last : null;
        var events = new List<NewEvent>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (history, answer) in exchanges)
        {
            var start = tail is not null && history.IndexOf(tail) is var index and >= 0 ? index + 1 : 0;
            for (var i = start; i < history.Messages.Count; i++)
            {
                if (history.Messages[i].Event is { } e && keys.Add(e.IdempotencyKey!))
                {
                    events.Add(e);
                }
            }

            if (answer is not null && keys.Add(answer.IdempotencyKey!))
            {
                events.Add(answer);
            }

            tail = answer?.IdempotencyKey ?? history.LastKey ?? tail;
        }

        if (events.Count == 0)
        {
            return;
        }

        for (var offset = 0; offset < events.Count; offset += BatchLimit)
        {
            await sessions.AppendBatchAsync(sessionId, events.GetRange(offset, Math.Min(BatchLimit, events.Count - offset)), cancellationToken).ConfigureAwait(false);
        }

        Remember(sessionId, events[^1].IdempotencyKey!);
    }

    private void Remember(string sessionId, string key)
    {
        if (_recorded.Count > MaxRememberedSessions)
        {
            _recorded.Clear();
        }

        _recorded[sessionId] = key;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The gateway could not record {Count} exchanges of session {SessionId}; the client's next call records what is missing")]
    private static partial void LogNotRecorded(ILogger logger, string sessionId, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The host stopped with {Count} sessions' gateway exchanges not yet recorded")]
    private static partial void LogStoppedWithRecordingsInFlight(ILogger logger, int count);

    private sealed record Exchange(GatewayHistory History, NewEvent? Answer, TaskCompletionSource Done);

    private sealed class SessionWrites
    {
        public List<Exchange> Queued { get; set; } = [];

        public string LastKey { get; set; } = "";

        public TaskCompletionSource Last { get; set; } = new();

        public bool Writing { get; set; }
    }
}
