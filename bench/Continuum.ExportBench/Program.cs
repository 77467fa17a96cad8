// Export benchmark: one user with N events (default 1,000,000) in a real SQLite file (or PostgreSQL with
// --postgres CONNECTION), written by a streamed import, then exported as JSON Lines to a stream that counts the bytes.
// Prints throughput both ways and the process's memory while the export runs, sampled every 20 ms: the curve stays
// flat because neither direction holds more than a batch.
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Continuum.Lifecycle;
using Continuum.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

var events = args.Length > 0 && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1_000_000;
var postgres = Array.IndexOf(args, "--postgres") is var p and >= 0 && p + 1 < args.Length ? args[p + 1] : null;
var root = Path.Combine(Path.GetTempPath(), $"continuum-exportbench-{Guid.NewGuid():N}");
string[] settings = ["--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", root, "--Logging:LogLevel:Default", "Warning", "--Continuum:Sessions:Expiry", "3650.00:00:00"];
if (postgres is not null)
{
    settings = [.. settings, "--Continuum:Storage:Provider", "postgres", "--Continuum:Storage:Postgres:ConnectionString", postgres];
}

Console.WriteLine($"Continuum export benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, store {(postgres is null ? "sqlite" : "postgres")}");
Console.WriteLine($"one user, {events / 1000:N0} sessions of 1,000 events each ({events:N0} events, about 300 bytes a record)");
Console.WriteLine();
var app = ContinuumServer.Build(settings);
try
{
    await using (app)
    {
        await app.StartAsync();
        var lifecycle = app.Services.GetRequiredService<ILifecycleService>();

        // Import: the lines are generated as the import reads them, so the source holds nothing either.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        var producer = Task.Run(async () =>
        {
            await using var writer = new StreamWriter(pipe.Writer.AsStream(), new UTF8Encoding(false), 1 << 16);
            await writer.WriteLineAsync("{\"format\":\"continuum.export\",\"version\":1,\"scope\":\"user\",\"id\":\"usr_bench\",\"exportedAt\":\"2026-01-01T00:00:00.0000000Z\"}");
            const long Start = 638_700_000_000_000_000;
            await writer.WriteLineAsync($"{{\"kind\":\"users\",\"row\":{{\"id\":\"usr_bench\",\"display_name\":\"Bench\",\"created_at\":{Start},\"merged_into\":null}}}}");
            for (var s = 0; s < Math.Max(1, events / 1000); s++)
            {
                var count = Math.Min(1000, events - s * 1000);
                await writer.WriteLineAsync($"{{\"kind\":\"sessions\",\"row\":{{\"id\":\"ses_bench{s:D6}\",\"user_id\":\"usr_bench\",\"agent_id\":null,\"interface\":\"api\",\"interface_id\":null,\"node_name\":null,\"status\":\"closed\",\"title\":null,\"parent_id\":null,\"created_at\":{Start},\"last_active_at\":{Start},\"expires_at\":{Start},\"expires_in_seconds\":604800,\"token_limit\":4000,\"messages\":{count},\"input_tokens\":0,\"output_tokens\":0,\"tool_calls\":0,\"errors\":0,\"last_seq\":{count},\"state\":{{}},\"preferences\":{{}},\"metadata\":{{}},\"summary\":null,\"entities\":[],\"topics\":[],\"carried_over\":null,\"summarized_seq\":0,\"unsummarized_tokens\":0,\"cleared_seq\":0}}}}");
            }

            for (var i = 0; i < events; i++)
            {
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"kind\":\"events\",\"row\":{{\"session_id\":\"ses_bench{i / 1000:D6}\",\"seq\":{i % 1000 + 1},\"id\":\"evt_bench{i:D9}\",\"user_id\":\"usr_bench\",\"type\":\"message\",\"role\":\"{(i % 2 == 0 ? "user" : "assistant")}\",\"name\":null,\"content\":\"Message {i}: the deploy of service api-{i % 7} on host node-{i % 13} finished in {i % 60} s; p99 latency is {i % 90} ms.\",\"tokens\":30,\"entities\":[],\"interface\":\"api\",\"created_at\":{Start + i * 10_000_000L},\"metadata\":{{\"n\":{i}}},\"idempotency_key\":null}}}}"));
            }
        });
        var started = Stopwatch.GetTimestamp();
        var imported = await lifecycle.ImportAsync(pipe.Reader.AsStream());
        await producer;
        var importSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"import: {imported.Records:N0} records in {importSeconds:F1} s = {imported.Records / importSeconds:N0} records/s"));

        // Export, sampling memory while it runs.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var managedBaseline = GC.GetTotalMemory(false);
        var counter = new CountingStream();
        var samples = new List<(long Records, long WorkingSet, long Managed)>();
        long exported = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            while (await timer.WaitForNextTickAsync(sampling.Token).ConfigureAwait(false))
            {
                process.Refresh();
                lock (samples)
                {
                    samples.Add((Interlocked.Read(ref exported), process.WorkingSet64, GC.GetTotalMemory(false)));
                }
            }
        });
        started = Stopwatch.GetTimestamp();
        var summary = await lifecycle.ExportAsync(new ExportScope(ExportScope.User, "usr_bench"), counter, new SyncProgress(r => Interlocked.Exchange(ref exported, r)));
        var exportSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await sampling.CancelAsync();
        try
        {
            await sampler;
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"export: {summary.Records:N0} records, {counter.Bytes / 1e6:N0} MB in {exportSeconds:F1} s = {summary.Records / exportSeconds:N0} records/s, {counter.Bytes / 1e6 / exportSeconds:F1} MB/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory before the export: working set {baseline / 1e6:F0} MB, managed heap {managedBaseline / 1e6:F0} MB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak during the export:   working set {samples.Max(s => s.WorkingSet) / 1e6:F0} MB, managed heap {samples.Max(s => s.Managed) / 1e6:F0} MB ({samples.Count} samples)"));
        Console.WriteLine();
        Console.WriteLine("| records exported | working set MB | managed heap MB |");
        Console.WriteLine("| ---: | ---: | ---: |");
        for (var decile = 1; decile <= 10; decile++)
        {
            var at = summary.Records * decile / 10;
            var near = samples.Where(s => s.Records <= at).DefaultIfEmpty(samples[0]).Last();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {near.Records:N0} | {near.WorkingSet / 1e6:F0} | {near.Managed / 1e6:F0} |"));
        }

        await app.StopAsync();
    }
}
finally
{
    try
    {
        Directory.Delete(root, recursive: true);
    }
    catch (IOException)
    {
    }
}

/// <summary>A destination that keeps nothing and counts what was written.</summary>
internal sealed class CountingStream : Stream
{
    public long Bytes { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Bytes;

    public override long Position { get => Bytes; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Bytes += count;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Bytes += buffer.Length;
        return ValueTask.CompletedTask;
    }
}

/// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress(Action<long> report) : IProgress<long>
{
    public void Report(long value) => report(value);
}
