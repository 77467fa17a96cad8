// Tokenizer benchmark: throughput of the BPE encodings and the estimator, the estimator's error against the
// BPE counts on real text (the LoCoMo conversations, code and JSON), and what counting costs an append.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Continuum;
using Continuum.Model;
using Continuum.Services;
using Continuum.Storage;
using Continuum.Tokens;
using Continuum.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

var corpusPath = args.Length > 0 ? args[0] : FindCorpus();
Console.WriteLine($"Continuum tokenizer benchmark: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

// The corpus: every turn of the LoCoMo conversations, plus the C# sources and docs of this repository as code and prose.
var turns = new List<string>();
using (var document = JsonDocument.Parse(File.ReadAllText(corpusPath)))
{
    foreach (var conversation in document.RootElement.EnumerateArray())
    {
        foreach (var part in conversation.GetProperty("conversation").EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array))
        {
            turns.AddRange(part.Value.EnumerateArray().Select(t => $"{t.GetProperty("speaker").GetString()}: {t.GetProperty("text").GetString()}"));
        }
    }
}

var root = FindRoot();
var code = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal)).Select(File.ReadAllText).ToList();
var docs = Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Select(File.ReadAllText).ToList();
Console.WriteLine($"corpus: {turns.Count} conversation turns from {Path.GetFileName(corpusPath)}, {code.Count} C# files, {docs.Count} Markdown docs");
Console.WriteLine();

var load = Stopwatch.StartNew();
var o200k = BpeEncoding.Get(BpeEncoding.O200kBase);
var loadO = load.Elapsed.TotalMilliseconds;
load.Restart();
var cl100k = BpeEncoding.Get(BpeEncoding.Cl100kBase);
var loadC = load.Elapsed.TotalMilliseconds;
Console.WriteLine($"load: o200k_base {loadO:F0} ms ({o200k.Vocabulary} tokens), cl100k_base {loadC:F0} ms ({cl100k.Vocabulary} tokens), once per process");
Console.WriteLine();

var estimate = new EstimatingTokenCounter();
var all = turns.Concat(code).Concat(docs).ToList();
var bytes = all.Sum(t => Encoding.UTF8.GetByteCount(t));
Console.WriteLine("counter      |   MB/s | texts/s (turns) | tokens in corpus");
Console.WriteLine("------------ | -----: | --------------: | ---------------:");
foreach (var (name, count) in new (string, Func<string, int>)[] { ("o200k_base", t => o200k.Count(t)), ("cl100k_base", t => cl100k.Count(t)), ("estimate", estimate.Count) })
{
    long total = 0;
    foreach (var t in all)
    {
        total += count(t);
    }

    var timer = Stopwatch.StartNew();
    var rounds = 0;
    while (timer.Elapsed < TimeSpan.FromSeconds(3))
    {
        foreach (var t in all)
        {
            count(t);
        }

        rounds++;
    }

    var mbs = bytes * (double)rounds / timer.Elapsed.TotalSeconds / 1e6;
    timer.Restart();
    var turnRounds = 0;
    while (timer.Elapsed < TimeSpan.FromSeconds(1))
    {
        foreach (var t in turns)
        {
            count(t);
        }

        turnRounds++;
    }

    Console.WriteLine($"{name,-12} | {mbs,6:F1} | {turns.Count * (double)turnRounds / timer.Elapsed.TotalSeconds,15:N0} | {total,16:N0}");
}

Console.WriteLine();
Console.WriteLine("estimator error against the BPE count, per text (error = (estimate - bpe) / bpe):");
Console.WriteLine("encoding    | corpus       | texts | mean abs error | bias (mean error) | p95 abs error | total estimate / total bpe");
Console.WriteLine("----------- | ------------ | ----: | -------------: | ----------------: | ------------: | -------------------------:");
foreach (var (encodingName, encoding) in new[] { ("o200k_base", o200k), ("cl100k_base", cl100k) })
{
    foreach (var (corpusName, texts) in new[] { ("conversation", turns), ("C# code", code), ("Markdown", docs) })
    {
        var errors = new List<double>();
        long sumEstimate = 0, sumBpe = 0;
        foreach (var t in texts)
        {
            var exact = encoding.Count(t);
            var guess = estimate.Count(t);
            sumEstimate += guess;
            sumBpe += exact;
            if (exact > 0)
            {
                errors.Add((guess - exact) / (double)exact);
            }
        }

        var abs = errors.Select(Math.Abs).Order().ToList();
        Console.WriteLine($"{encodingName,-11} | {corpusName,-12} | {errors.Count,5} | {abs.Average() * 100,13:F1}% | {errors.Average() * 100,16:+0.0;-0.0}% | {abs[(int)(abs.Count * 0.95)] * 100,12:F1}% | {sumEstimate / (double)sumBpe,26:F3}");
    }
}

// What counting costs an append: appends with the BPE counter against the estimator, same store, same run.
Console.WriteLine();
var appends = 3000;
var results = new List<(string Name, double PerSecond, double CountMicros)>();
foreach (var tokenizer in new[] { "estimate", "o200k_base", "estimate", "o200k_base" })
{
    var dir = Path.Combine(Path.GetTempPath(), $"continuum-token-bench-{Guid.NewGuid():N}");
    Directory.CreateDirectory(dir);
    try
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddContinuum(new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection([new("Continuum:DataDirectory", dir)]).Build(), o =>
        {
            o.Tokenizer = tokenizer;
            o.Context.CompressionEnabled = false;
        });
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IStoreMigrator>().MigrateAsync(CancellationToken.None);
        var sessions = provider.GetRequiredService<ISessionService>();
        var counter = provider.GetRequiredService<ITokenCounter>();
        var ids = new List<string>();
        for (var i = 0; i < 32; i++)
        {
            ids.Add((await sessions.OpenAsync(new OpenSessionRequest { Interface = "bench", Mode = "new" })).Session.Id);
        }

        var timer = Stopwatch.StartNew();
        await Parallel.ForAsync(0, appends, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
            await sessions.AppendAsync(ids[i % ids.Count], new NewEvent { Role = "user", Content = turns[i % turns.Count] }, ct));
        var perSecond = appends / timer.Elapsed.TotalSeconds;

        // The counter alone over the same texts, best of three passes (the machine is shared).
        var best = double.MaxValue;
        for (var pass = 0; pass < 3; pass++)
        {
            timer.Restart();
            for (var i = 0; i < appends; i++)
            {
                counter.Count(turns[i % turns.Count]);
            }

            best = Math.Min(best, timer.Elapsed.TotalMilliseconds * 1000 / appends);
        }

        results.Add((counter.Name, perSecond, best));
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}

Console.WriteLine($"append path ({appends} appends of conversation turns, 32 concurrent, synchronous=FULL, compression off; two rounds each):");
foreach (var (name, perSecond, micros) in results)
{
    Console.WriteLine($"  {name,-11} {perSecond,8:N0} appends/s; counting one turn takes {micros:F2} µs, {micros / (1e6 / perSecond) * 100:F1}% of the wall time per append");
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Continuum.slnx")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository (Continuum.slnx not found above the program).");
}

static string FindCorpus()
{
    var path = Path.GetFullPath(Path.Combine(FindRoot(), "..", "shared", "eval", "locomo-dev.json"));
    return File.Exists(path) ? path : throw new FileNotFoundException($"Give the LoCoMo file as the first argument ({path} not found).");
}
