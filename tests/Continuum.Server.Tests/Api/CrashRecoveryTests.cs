using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Continuum.Server.Tests.Api;

public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task Every_acknowledged_append_survives_a_kill_9_and_a_restart_with_contiguous_seq()
    {
        const int acknowledgedBeforeKill = 200;
        var dataDirectory = Path.Combine(Path.GetTempPath(), "continuum-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        try
        {
            var acknowledged = new ConcurrentDictionary<string, long>();
            string sessionId;
            await using (var first = await ServerProcess.StartAsync(dataDirectory))
            {
                sessionId = await OpenAsync(first.Http);

                // 200 appends from 8 writers, each acknowledged with 201.
                await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
                {
                    for (var i = 0; i < acknowledgedBeforeKill / 8; i++)
                    {
                        var content = $"before-kill w{w} #{i}";
                        var seq = await AppendAsync(first.Http, sessionId, content);
                        seq.ShouldNotBeNull(first.Output);
                        acknowledged[content] = seq.Value;
                    }
                })));
                acknowledged.Count.ShouldBe(acknowledgedBeforeKill);

                // More writers are mid-flight when the process dies; what they got acknowledged must survive too.
                using var stop = new CancellationTokenSource();
                var inFlight = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
                {
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        var content = $"in-flight w{w} #{i}";
                        try
                        {
                            if (await AppendAsync(first.Http, sessionId, content) is { } seq)
                            {
                                acknowledged[content] = seq;
                            }
                        }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                        {
                            return;
                        }
                    }
                })).ToArray();
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (acknowledged.Count < acknowledgedBeforeKill + 50 && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(10);
                }

                acknowledged.Count.ShouldBeGreaterThanOrEqualTo(acknowledgedBeforeKill + 50, "writes were in flight when the process was killed");
                await first.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(inFlight);
            }

            await using var second = await ServerProcess.StartAsync(dataDirectory);
            var events = await AllEventsAsync(second.Http, sessionId);

            events.Select(e => (long)e["seq"]!).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (long)i), "seq numbers have no gaps");
            events.Count.ShouldBeGreaterThanOrEqualTo(acknowledged.Count);
            var stored = events.ToDictionary(e => (string)e["content"]!, e => (long)e["seq"]!);
            stored.Count.ShouldBe(events.Count, "no event was stored twice");
            foreach (var (content, seq) in acknowledged)
            {
                stored.TryGetValue(content, out var storedSeq).ShouldBeTrue($"acknowledged '{content}' was lost");
                storedSeq.ShouldBe(seq);
            }

            var session = await second.Http.GetFromJsonAsync<JsonObject>($"api/sessions/{sessionId}");
            ((long)session!["lastSeq"]!).ShouldBe(events.Count);
            ((long)session["counters"]!["messages"]!).ShouldBe(events.Count);
            (await AppendAsync(second.Http, sessionId, "after restart")).ShouldBe(events.Count + 1);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temp folder's own cleanup.
            }
        }
    }

    [Fact]
    public async Task A_graceful_stop_merges_the_log_into_the_database_file_and_closes_it()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "continuum-stop-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        try
        {
            string sessionId;
            await using (var first = await ServerProcess.StartAsync(dataDirectory))
            {
                sessionId = await OpenAsync(first.Http);
                for (var i = 0; i < 300; i++)
                {
                    (await AppendAsync(first.Http, sessionId, $"before stop #{i} " + new string('x', 200))).ShouldBe(i + 1);
                }

                var wal = Path.Combine(dataDirectory, "continuum.db-wal");
                new FileInfo(wal).Length.ShouldBeGreaterThan(0, "the appends went through the write-ahead log");
                (await first.TerminateAsync()).ShouldBe(0, first.Output);
            }

            var database = new FileInfo(Path.Combine(dataDirectory, "continuum.db"));
            database.Length.ShouldBeGreaterThan(300 * 200, "the log was merged into the database file");
            var log = new FileInfo(Path.Combine(dataDirectory, "continuum.db-wal"));
            (log.Exists ? log.Length : 0).ShouldBe(0, "no unmerged log is left behind");

            await using var second = await ServerProcess.StartAsync(dataDirectory);
            (await AllEventsAsync(second.Http, sessionId)).Count.ShouldBe(300);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temp folder's own cleanup.
            }
        }
    }

    private static async Task<string> OpenAsync(HttpClient http)
    {
        using var response = await http.PostAsJsonAsync("api/sessions", new { identity = new { @interface = "cli", externalUserId = "crash-test" }, @interface = "cli", mode = "new" });
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    /// <summary>The seq of the appended event once the server acknowledged it with 201; null for any other answer.</summary>
    private static async Task<long?> AppendAsync(HttpClient http, string sessionId, string content)
    {
        using var response = await http.PostAsJsonAsync($"api/sessions/{sessionId}/events", new { content });
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return null;
        }

        return (long)(await response.Content.ReadFromJsonAsync<JsonObject>())!["seq"]!;
    }

    private static async Task<List<JsonObject>> AllEventsAsync(HttpClient http, string sessionId)
    {
        var events = new List<JsonObject>();
        var after = "0";
        while (after is not null)
        {
            var page = (await http.GetFromJsonAsync<JsonObject>($"api/sessions/{sessionId}/events?after={after}&limit=1000"))!;
            events.AddRange(page["events"]!.AsArray().Select(e => e!.AsObject()));
            after = (string?)page["next"];
        }

        return events;
    }
}
