// Search benchmark: the LoCoMo retrieval metric through the real HTTP API, for the default configuration (the
// embedded model, hybrid search) and for Provider=none, next to plain BM25 computed in the same run; the costs of
// the model (indexing throughput, catch-up of a 100,000-event user, search latency with 100,000 events, server
// memory, start-up time).
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Continuum.Search;
using Continuum.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

var file = args.Where((a, i) => a.EndsWith(".json", StringComparison.Ordinal) && (i == 0 || args[i - 1] is not ("--data" or "--dump"))).FirstOrDefault() ?? FindCorpus();
var bigUser = args.Contains("--no-100k") ? 0 : 100_000;
var withModel = !args.Contains("--no-model");
int[] ks = [5, 10, 25, 50];
// --data DIR keeps the servers' stores in DIR and, when DIR already holds an ingested and indexed run, reuses it (to
// compare search changes without embedding everything again); --dump FILE writes each question's top 200 with every
// ranker's place, for studying fusion offline.
var keep = Option("--data");
var dump = Option("--dump");
var root = keep ?? Path.Combine(Path.GetTempPath(), $"continuum-search-bench-{Guid.NewGuid():N}");
var reuse = keep is not null && File.Exists(Path.Combine(root, "ingested"));
Console.WriteLine($"Continuum search benchmark: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine($"corpus: {file}");
using var watchdog = new CancellationTokenSource(TimeSpan.FromMinutes(60));
watchdog.Token.Register(() =>
{
    Console.Error.WriteLine("error: the run took longer than 60 minutes; stopping.");
    Environment.Exit(4);
});

using var document = JsonDocument.Parse(File.ReadAllText(file));
var configurations = new List<(string Name, string Provider)>();
if (withModel)
{
    configurations.Add(("default", "local"));
}

configurations.Add(("none", "none"));
var servers = new Dictionary<string, (WebApplication App, HttpClient Http)>();
try
{
    foreach (var (name, provider) in configurations)
    {
        var app = ContinuumServer.Build(["--urls", "http://127.0.0.1:0", "--Continuum:DataDirectory", Path.Combine(root, name), "--Logging:LogLevel:Default", "Warning",
            "--Continuum:Tokenizer", "estimate", "--Continuum:Models:Embeddings:Provider", provider]);
        await app.StartAsync();
        servers[name] = (app, new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) });
    }

    // Ingest into every server (each LoCoMo session a Continuum session at its date, each turn an event with its dia_id).
    var questions = new List<(string Question, int Category, HashSet<string> Evidence, string Sample)>();
    var users = new Dictionary<(string Server, string Sample), string>();
    var turnsBySample = new Dictionary<string, List<(string DiaId, string Text)>>();
    var turnCount = 0;
    var ingested = new Dictionary<string, double>();
    var indexing = Stopwatch.StartNew();
    foreach (var (name, (_, http)) in servers)
    {
        var ingest = Stopwatch.StartNew();
        if (name == "default")
        {
            indexing.Restart();
        }

        foreach (var sample in document.RootElement.EnumerateArray())
        {
            var id = sample.GetProperty("sample_id").GetString()!;
            var conversation = sample.GetProperty("conversation");
            var user = await PostAsync(http, "api/users/resolve", new { @interface = "locomo", externalUserId = id });
            users[(name, id)] = user.GetProperty("id").GetString()!;
            var turns = new List<(string, string)>();
            for (var n = 1; conversation.TryGetProperty($"session_{n}", out var session); n++)
            {
                var date = ParseDate(conversation.GetProperty($"session_{n}_date_time").GetString()!);
                var events = new List<object>();
                var i = 0;
                foreach (var turn in session.EnumerateArray())
                {
                    var text = turn.GetProperty("text").GetString()!;
                    if (turn.TryGetProperty("blip_caption", out var caption) && caption.ValueKind == JsonValueKind.String)
                    {
                        text += $" [shares an image: {caption.GetString()}]";
                    }

                    var speaker = turn.GetProperty("speaker").GetString()!;
                    var dia = turn.GetProperty("dia_id").GetString()!;
                    events.Add(new { role = "user", name = speaker, content = text, createdAt = date.AddSeconds(i++), metadata = new { dia_id = dia } });
                    turns.Add((dia, $"{speaker} said, \"{turn.GetProperty("text").GetString()}\""));
                }

                if (!reuse)
                {
                    var opened = await PostAsync(http, "api/sessions", new { userId = users[(name, id)], @interface = "locomo", mode = "new", title = $"{id} session {n}" });
                    (await http.PostAsJsonAsync($"api/sessions/{opened.GetProperty("id").GetString()}/events:batch", new { events })).EnsureSuccessStatusCode();
                }
            }

            if (!turnsBySample.ContainsKey(id))
            {
                turnsBySample[id] = turns;
                turnCount += turns.Count;
                var known = turns.Select(t => t.Item1).ToHashSet(StringComparer.Ordinal);
                foreach (var qa in sample.GetProperty("qa").EnumerateArray())
                {
                    var category = qa.GetProperty("category").GetInt32();
                    if (category is < 1 or > 4)
                    {
                        continue;
                    }

                    var evidence = qa.GetProperty("evidence").EnumerateArray().SelectMany(e => Regex.Split(e.GetString() ?? "", "[;, ]+"))
                        .Select(e => Regex.Replace(e.Trim(), @"^D:(\d+):", "D$1:")).Where(known.Contains).ToHashSet(StringComparer.Ordinal);
                    if (evidence.Count > 0)
                    {
                        questions.Add((qa.GetProperty("question").GetString()!, category, evidence, id));
                    }
                }
            }
        }

        ingested[name] = ingest.Elapsed.TotalSeconds;
    }

    Console.WriteLine($"ingested {turnCount} turns of {turnsBySample.Count} conversations into each server through the API ({string.Join(", ", ingested.Select(i => $"{i.Key} {i.Value:F1} s"))}); {questions.Count} questions of categories 1-4");
    if (withModel)
    {
        // Indexing: the background indexer embeds every turn (and its neighbourhood) off the append path.
        await WaitForIndexAsync(servers["default"].Http, TimeSpan.FromMinutes(30));
        var caught = indexing.Elapsed;
        if (!reuse)
        {
            Console.WriteLine($"indexing (the default, arctic-embed-xs, 1 thread): {turnCount} events embedded {caught.TotalSeconds:F1} s after their ingest began: {turnCount / caught.TotalSeconds:F1} events/s (two vectors each but the first of a session)");
        }
    }

    if (keep is not null)
    {
        File.WriteAllText(Path.Combine(root, "ingested"), "");
        if (reuse)
        {
            Console.WriteLine($"reused the stores in {root} (ingested and indexed by an earlier run)");
        }
    }

    var baseline = turnsBySample.ToDictionary(p => p.Key, p => new PlainBm25(p.Value));
    var recall = servers.Keys.ToDictionary(k => k, _ => new Dictionary<int, List<double[]>>());
    var plain = new Dictionary<int, List<double[]>>();
    var latencies = servers.Keys.ToDictionary(k => k, _ => new List<double>());
    var dumped = new List<object>();
    foreach (var (question, category, evidence, sample) in questions)
    {
        foreach (var (name, (_, http)) in servers)
        {
            var started = Stopwatch.GetTimestamp();
            var response = await PostAsync(http, "api/search", new { query = question, userId = users[(name, sample)], kinds = new[] { "event" }, limit = ks.Max() });
            latencies[name].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var found = response.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("metadata").GetProperty("dia_id").GetString()!).ToList();
            Add(recall[name], category, Recall(found, evidence, ks));
            if (dump is not null)
            {
                var deep = await PostAsync(http, "api/search", new { query = question, userId = users[(name, sample)], kinds = new[] { "event" }, limit = 200 });
                dumped.Add(new
                {
                    server = name,
                    sample,
                    category,
                    evidence,
                    results = deep.GetProperty("results").EnumerateArray().Select(r => new
                    {
                        dia = r.GetProperty("metadata").GetProperty("dia_id").GetString(),
                        views = r.GetProperty("why").GetProperty("rankers"),
                    }).ToList(),
                });
            }
        }

        Add(plain, category, Recall(baseline[sample].Search(question, ks.Max()), evidence, ks));
    }

    if (dump is not null)
    {
        File.WriteAllText(dump, JsonSerializer.Serialize(dumped));
    }

    Console.WriteLine();
    Console.WriteLine("recall@k (%)              |  k=5 |  k=10 |  k=25 |  k=50 | questions");
    Console.WriteLine("------------------------- | ---: | ----: | ----: | ----: | --------:");
    string[] names = ["", "1 multi-hop", "2 temporal", "3 open-domain", "4 single-hop"];
    foreach (var category in new[] { 1, 2, 3, 4 })
    {
        foreach (var name in servers.Keys)
        {
            Row($"{name,-7} {names[category]}", recall[name][category]);
        }

        Row($"BM25    {names[category]}", plain[category]);
    }

    foreach (var name in servers.Keys)
    {
        Row($"{name,-7} overall", [.. recall[name].Values.SelectMany(x => x)]);
    }

    Row("BM25    overall", [.. plain.Values.SelectMany(x => x)]);
    Console.WriteLine("DRAGON (paper)            | 60.4 |  69.6 |  79.7 |  85.6 |");
    double[] dragon = [60.4, 69.6, 79.7, 85.6];
    foreach (var name in servers.Keys)
    {
        var all = recall[name].Values.SelectMany(x => x).ToList();
        var beats = ks.Select((k, i) => all.Average(r => r[i]) * 100 > dragon[i]).ToList();
        Console.WriteLine($"{name}: above DRAGON at every k: {(beats.All(b => b) ? "MET" : "MISSED")} ({string.Join(", ", ks.Select((k, i) => $"k={k} {(beats[i] ? "above" : "below")}"))})");
    }

    foreach (var (name, list) in latencies)
    {
        list.Sort();
        Console.WriteLine($"search latency, {name}, over HTTP ({list.Count} queries, LoCoMo users, top 50): p50 {P(list, 0.5):F2} ms, p99 {P(list, 0.99):F2} ms");
    }

    if (bigUser > 0)
    {
        var all = turnsBySample.Values.SelectMany(t => t).Select(t => t.Item2).ToList();
        foreach (var (name, (app, http)) in servers)
        {
            // One user with 100,000 events: LoCoMo turns reused with a counter so the index is as large as the history.
            var user = await PostAsync(http, "api/users/resolve", new { @interface = "bench", externalUserId = "heavy" });
            var userId = user.GetProperty("id").GetString()!;
            var fill = Stopwatch.StartNew();
            var written = 0;
            var start = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
            while (written < bigUser)
            {
                var opened = await PostAsync(http, "api/sessions", new { userId, @interface = "bench", mode = "new" });
                var batch = Enumerable.Range(0, Math.Min(1000, bigUser - written))
                    .Select(i => new { role = "user", content = $"{all[(written + i) % all.Count]} (note {written + i})", createdAt = start.AddMinutes(written + i) }).ToList();
                (await http.PostAsJsonAsync($"api/sessions/{opened.GetProperty("id").GetString()}/events:batch", new { events = batch })).EnsureSuccessStatusCode();
                written += batch.Count;
            }

            Console.WriteLine($"{name}: filled one user with {written} events in {fill.Elapsed.TotalSeconds:F1} s");
            if (name == "default")
            {
                // The indexer's rate on this user for a minute, and the catch-up time it implies.
                var before = await BacklogAsync(http);
                var watch = Stopwatch.StartNew();
                await Task.Delay(TimeSpan.FromSeconds(60));
                var after = await BacklogAsync(http);
                var rate = (before - after) / watch.Elapsed.TotalSeconds;
                Console.WriteLine($"default: indexing the 100,000-event user: {rate:F1} events/s over {watch.Elapsed.TotalSeconds:F0} s; catch-up of 100,000 events at that rate: {bigUser / Math.Max(rate, 0.01) / 60:F1} min");

                // To measure search over a full index without waiting for that catch-up, the rest of the vectors are
                // copied: each remaining event (a LoCoMo turn plus a counter) gets its turn's vector, made once by the
                // same model. The search then reads, scores and ranks as many vectors as a caught-up index holds.
                var generator = app.Services.GetRequiredService<Continuum.ModelProviders.EmbeddingModel>();
                var store = app.Services.GetRequiredService<IEmbeddingStore>();
                var unique = all.Distinct(StringComparer.Ordinal).ToList();
                var baseVectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
                foreach (var chunk in unique.Chunk(256))
                {
                    var made = await generator.Generator!.GenerateAsync(chunk);
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        baseVectors[chunk[i]] = made[i].Vector.ToArray();
                    }
                }

                var copied = 0;
                while (true)
                {
                    var pending = await store.PendingAsync(generator.Name, 2048, CancellationToken.None);
                    if (pending.Count == 0)
                    {
                        break;
                    }

                    float[]? Vector(string text) => baseVectors.TryGetValue(Regex.Replace(text, @"^(.*) \(note \d+\)$", "$1"), out var v) ? v : null;
                    var items = pending.Select(p => (p, Vector(p.Text))).ToList();
                    items.AddRange(pending.Where(p => p.Kind == "event" && p.Previous is not null).Select(p => (p with { Kind = "window", Previous = null }, Vector(p.Text))));
                    await store.SaveAsync(generator.Name, items, CancellationToken.None);
                    copied += pending.Count;
                }

                Console.WriteLine($"default: copied the vectors of {copied} events; backlog now {await BacklogAsync(http)}");
            }

            var heavy = new List<double>();
            foreach (var (question, _, _, _) in questions.Take(300))
            {
                var started = Stopwatch.GetTimestamp();
                await PostAsync(http, "api/search", new { query = question, userId, limit = 10 });
                heavy.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            var slowest = heavy.Select((ms, i) => (ms, i)).OrderByDescending(x => x.ms).Take(5).ToList();
            heavy.Sort();
            var (p50Target, p99Target) = name == "default" ? (15.0, 30.0) : (double.MaxValue, 10.0);
            Console.WriteLine($"search latency, {name}, user with {written} events ({heavy.Count} queries, top 10, HTTP{(name == "default" ? ", query embedding included" : "")}): p50 {P(heavy, 0.5):F2} ms, p99 {P(heavy, 0.99):F2} ms (target{(name == "default" ? " p50 <= 15 ms and" : "")} p99 <= {p99Target:F0} ms: {(P(heavy, 0.5) <= p50Target && P(heavy, 0.99) <= p99Target ? "MET" : "MISSED")})");
            Console.WriteLine($"  slowest: {string.Join("; ", slowest.Select(x => $"{x.ms:F1} ms"))}");
        }
    }

    Console.WriteLine($"this process (both servers, their caches, the bench): {Rss(Environment.ProcessId) / 1048576.0:F0} MB RSS");
    foreach (var (_, (app, _)) in servers)
    {
        await app.StopAsync();
    }
}
finally
{
    foreach (var (_, (app, http)) in servers)
    {
        http.Dispose();
        await app.DisposeAsync();
    }

    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    if (keep is null)
    {
        Directory.Delete(root, recursive: true);
    }
}

if (withModel)
{
    await MeasureServerProcessAsync();
}

// The server as its own process (as deployed): start-up time until /health answers, and its memory once the model
// has embedded a turn and a query.
static async Task MeasureServerProcessAsync()
{
    var dll = Path.Combine(AppContext.BaseDirectory, "Continuum.Server.dll");
    var data = Path.Combine(Path.GetTempPath(), $"continuum-search-bench-process-{Guid.NewGuid():N}");
    var port = FreePort();
    var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
    {
        UseShellExecute = false,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--Continuum:DataDirectory", data, "--Logging:LogLevel:Default", "Warning" })
    {
        start.ArgumentList.Add(a);
    }

    var watch = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
    try
    {
        while (true)
        {
            try
            {
                if ((await http.GetAsync("health")).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(20);
        }

        var startup = watch.Elapsed;
        var idle = Rss(process.Id);
        var user = await PostAsync(http, "api/users/resolve", new { @interface = "bench", externalUserId = "rss" });
        var userId = user.GetProperty("id").GetString()!;
        var opened = await PostAsync(http, "api/sessions", new { userId, @interface = "bench", mode = "new" });
        var sessionId = opened.GetProperty("id").GetString()!;
        for (var i = 0; i < 20; i++)
        {
            await PostAsync(http, $"api/sessions/{sessionId}/events", new { role = "user", content = $"I bought a new car last Saturday, a blue hatchback number {i}." });
        }

        while (true)
        {
            var found = await PostAsync(http, "api/search", new { userId, query = "automobile purchase" });
            if (found.GetProperty("rankers").EnumerateArray().Any(r => r.GetString() == "vector"))
            {
                break;
            }

            await Task.Delay(100);
        }

        Console.WriteLine($"server process (default settings, SQLite): start-up {startup.TotalMilliseconds:F0} ms until /health answers; RSS {idle / 1048576.0:F0} MB idle, {Rss(process.Id) / 1048576.0:F0} MB with the model loaded and used (target <= 600 MB)");
    }
    finally
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        Directory.Delete(data, recursive: true);
    }
}

string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
}

static long Rss(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return line is null ? 0 : long.Parse(Regex.Match(line, @"\d+").Value, CultureInfo.InvariantCulture) * 1024;
}

static async Task<long> BacklogAsync(HttpClient http)
{
    using var response = await http.GetAsync("api/stats");
    using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    return json.RootElement.GetProperty("search").GetProperty("backlog").GetInt64();
}

static async Task<TimeSpan> WaitForIndexAsync(HttpClient http, TimeSpan limit)
{
    var watch = Stopwatch.StartNew();
    while (await BacklogAsync(http) > 0)
    {
        if (watch.Elapsed > limit)
        {
            throw new TimeoutException("The index did not catch up.");
        }

        await Task.Delay(200);
    }

    return watch.Elapsed;
}

static void Add(Dictionary<int, List<double[]>> into, int category, double[] recall)
{
    if (!into.TryGetValue(category, out var list))
    {
        into[category] = list = [];
    }

    list.Add(recall);
}

static double[] Recall(List<string> found, HashSet<string> evidence, int[] ks) =>
    [.. ks.Select(k => found.Take(k).Count(evidence.Contains) / (double)evidence.Count)];

static void Row(string name, List<double[]> rows) =>
    Console.WriteLine($"{name,-19} | {rows.Average(r => r[0]) * 100,4:F1} | {rows.Average(r => r[1]) * 100,5:F1} | {rows.Average(r => r[2]) * 100,5:F1} | {rows.Average(r => r[3]) * 100,5:F1} | {rows.Count,9}");

static double P(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static async Task<JsonElement> PostAsync(HttpClient http, string path, object body)
{
    using var response = await http.PostAsJsonAsync(path, body);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
    }

    using var json = JsonDocument.Parse(text);
    return json.RootElement.Clone();
}

static DateTimeOffset ParseDate(string text)
{
    // "1:56 pm on 8 May, 2023"
    var match = Regex.Match(text, @"(\d{1,2}):(\d{2})\s*(am|pm) on (\d{1,2}) (\w+),? (\d{4})", RegexOptions.IgnoreCase);
    if (!match.Success)
    {
        throw new FormatException($"Unknown session date '{text}'.");
    }

    var hour = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) % 12 + (match.Groups[3].Value.Equals("pm", StringComparison.OrdinalIgnoreCase) ? 12 : 0);
    var month = DateTime.ParseExact(match.Groups[5].Value[..3], "MMM", CultureInfo.InvariantCulture).Month;
    return new DateTimeOffset(int.Parse(match.Groups[6].Value, CultureInfo.InvariantCulture), month, int.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture),
        hour, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), 0, TimeSpan.Zero);
}

static string FindCorpus()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "shared", "eval", "locomo-dev.json");
        if (File.Exists(candidate))
        {
            return candidate;
        }
    }

    throw new FileNotFoundException("Give the LoCoMo file (locomo-dev.json) as an argument.");
}

/// <summary>Okapi BM25 (k1 1.2, b 0.75) over the turn texts, lower-case words, no stemming, no stop words: the baseline.</summary>
internal sealed class PlainBm25
{
    private readonly List<(string Id, Dictionary<string, int> Terms, int Length)> _docs = [];
    private readonly Dictionary<string, int> _df = new(StringComparer.Ordinal);
    private readonly double _avg;

    public PlainBm25(List<(string Id, string Text)> docs)
    {
        foreach (var (id, text) in docs)
        {
            var words = Tokens(text).ToList();
            var tf = words.GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            _docs.Add((id, tf, words.Count));
            foreach (var term in tf.Keys)
            {
                _df[term] = _df.GetValueOrDefault(term) + 1;
            }
        }

        _avg = _docs.Average(d => d.Length);
    }

    public List<string> Search(string query, int k)
    {
        var terms = Tokens(query).Distinct(StringComparer.Ordinal).ToList();
        var n = _docs.Count;
        return [.. _docs.Select(d => (d.Id, Score: terms.Sum(t =>
            {
                if (!d.Terms.TryGetValue(t, out var f))
                {
                    return 0.0;
                }

                var df = _df[t];
                var idf = Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));
                return idf * f * 2.2 / (f + (1.2 * (0.25 + (0.75 * d.Length / _avg))));
            })))
            .Where(x => x.Score > 0).OrderByDescending(x => x.Score).Take(k).Select(x => x.Id)];
    }

    private static IEnumerable<string> Tokens(string text) =>
        Regex.Matches(text.ToLowerInvariant(), @"[\p{L}\p{N}]+").Select(m => m.Value);
}
