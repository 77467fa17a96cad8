// Handoff benchmark: builds a project of N handoffs in a real SQLite file, then measures how long the briefing
// (knowledge base as of now, last handoff, Markdown within the budget) and the knowledge base take to build.
using System.Diagnostics;
using System.Globalization;
using Continuum;
using Continuum.Handoffs;
using Continuum.Server;
using Continuum.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
const int Budget = 2000;
var directory = Path.Combine(Path.GetTempPath(), $"continuum-handoff-bench-{Guid.NewGuid():N}");
Directory.CreateDirectory(directory);
Console.WriteLine($"Continuum handoff benchmark: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine($"{count} handoffs in one project (3 decisions, 2 insights, 3 next steps, 2 achievements, 4 files, 1 architecture entry each); {iterations} builds; budget {Budget} tokens; synchronous=FULL");
try
{
    var services = new ServiceCollection();
    services.AddLogging();
    services.AddContinuum(new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection([new("Continuum:DataDirectory", directory)]).Build());
    await using var provider = services.BuildServiceProvider();
    await provider.GetRequiredService<IStoreMigrator>().MigrateAsync(CancellationToken.None);
    var handoffs = provider.GetRequiredService<IHandoffService>();

    var random = new Random(42);
    var start = new DateTimeOffset(2024, 1, 1, 9, 0, 0, TimeSpan.Zero);
    var ingest = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        var ended = start.AddHours(i * 6);
        await handoffs.CreateAsync(new Handoff
        {
            Project = "bench",
            SessionId = $"session-{i}",
            Author = $"agent-{i % 5}",
            Goal = $"Work on component {i % 40}: {Sentence(random, 10)}",
            Achievements = [$"Finished task {i - 1} step {(i - 1) % 7}", Sentence(random, 9)],
            Decisions = [.. Enumerable.Range(0, 3).Select(d => new HandoffDecision($"Decision {i}.{d}: {Sentence(random, 12)}", Sentence(random, 10), Sentence(random, 6)))],
            Insights = [Sentence(random, 12), $"Insight about component {i % 40} that recurs"],
            NextSteps = [.. Enumerable.Range(0, 3).Select(s => new NextStep($"Task {i} step {s}: {Sentence(random, 8)}", Priorities.All[random.Next(3)]))],
            FilesModified = [.. Enumerable.Range(0, 4).Select(f => $"/src/component{(i + f) % 60}/file{f}.cs")],
            Architecture = new Dictionary<string, System.Text.Json.JsonElement> { [$"component-{i % 40}"] = System.Text.Json.JsonSerializer.SerializeToElement(new { status = "active", version = i }) },
            StartedAt = ended.AddHours(-2),
            EndedAt = ended,
        });
    }

    ingest.Stop();
    Console.WriteLine($"ingest: {count} handoffs in {ingest.Elapsed.TotalSeconds:F1} s ({count / ingest.Elapsed.TotalSeconds:F0} handoffs/s, each one durable transaction)");
    Console.WriteLine();

    Briefing briefing = null!;
    var briefingTimes = await MeasureAsync(iterations, async () => briefing = await handoffs.GetBriefingAsync("bench"));
    var asOf = start.AddHours(count * 3);
    var pastTimes = await MeasureAsync(iterations, async () => await handoffs.GetBriefingAsync("bench", asOf: asOf));
    KnowledgeBase knowledge = null!;
    var knowledgeTimes = await MeasureAsync(iterations, async () => knowledge = await handoffs.GetKnowledgeAsync("bench"));

    Console.WriteLine("operation                      |  p50 ms |  p99 ms |  max ms");
    Console.WriteLine("------------------------------ | ------: | ------: | ------:");
    Row("briefing (now)", briefingTimes);
    Row("briefing (as of the midpoint)", pastTimes);
    Row("knowledge base (now)", knowledgeTimes);
    Console.WriteLine();
    Console.WriteLine($"briefing size: {briefing.Tokens} tokens of a {briefing.Budget} budget ({briefing.Tokenizer}), {briefing.Markdown.Length} characters, {briefing.Omitted} items left out");
    Console.WriteLine($"knowledge base: {knowledge.Decisions.Count} decisions, {knowledge.PendingWork.Count} tasks ({knowledge.PendingWork.Count(p => p.Status == PendingStatus.Open)} open), {knowledge.Insights.Count} insights, {knowledge.Code.Count} files");
    var p99 = Percentile(briefingTimes, 0.99);
    Console.WriteLine($"target: briefing p99 <= 20 ms with {count} handoffs: {(p99 <= 20 ? "MET" : "MISSED")} ({p99:F2} ms)");
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    if (Environment.GetEnvironmentVariable("CONTINUUM_BENCH_KEEP") is { Length: > 0 } keep)
    {
        File.Copy(Path.Combine(directory, "continuum.db"), keep, overwrite: true);
    }

    Directory.Delete(directory, recursive: true);
}

static async Task<double[]> MeasureAsync(int iterations, Func<Task> work)
{
    for (var i = 0; i < Math.Min(50, iterations); i++)
    {
        await work();
    }

    var times = new double[iterations];
    for (var i = 0; i < iterations; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await work();
        times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    Array.Sort(times);
    return times;
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static void Row(string name, double[] sorted) =>
    Console.WriteLine($"{name,-30} | {Percentile(sorted, 0.5),7:F2} | {Percentile(sorted, 0.99),7:F2} | {sorted[^1],7:F2}");

static string Sentence(Random random, int words)
{
    string[] vocabulary = ["cache", "gateway", "deploy", "latency", "schema", "index", "worker", "queue", "retry", "budget", "token", "session", "agent", "metric", "alert", "backup", "restore", "config", "rollout", "review"];
    return string.Join(' ', Enumerable.Range(0, words).Select(_ => vocabulary[random.Next(vocabulary.Length)]));
}
