using Continuum.Context;
using Continuum.Sessions;
using Continuum.Storage.Sqlite;
using Continuum.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Storage.Tests;

/// <summary>The conformance suite on the embedded store: a new SQLite file in a temp folder for every test.</summary>
public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    private string _directory = "";

    protected override Task<ConformanceStores> CreateStoresAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "continuum-store-" + Guid.NewGuid().ToString("N"));
        return OpenAsync(_directory, deleteOnDispose: true);
    }

    [Fact]
    public async Task Vectors_are_stored_in_half_precision_and_float32_rows_from_before_stay_readable()
    {
        var user = await NewUserAsync();
        var session = await CreateAsync(NewSession(user.Id, "web", "host-half", T0));
        await Events.AppendAsync(Tenant, session.Id, [Record("first"), Record("second")], T0, Ct);
        var pending = (await Embeddings.PendingAsync("half-model", 100, Ct)).Where(p => p.UserId == user.Id).ToList();
        float[] exact = [0.1f, -0.7f, 0.3333333f, 1e-4f];
        await Embeddings.SaveAsync("half-model", [(pending[0], exact), (pending[1], exact)], Ct);

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "continuum.db")};Pooling=False");
        await connection.OpenAsync(Ct);
        using (var stored = connection.CreateCommand())
        {
            stored.CommandText = "SELECT length(vector), encoding FROM embeddings WHERE item_rowid = $row";
            stored.Parameters.AddWithValue("$row", pending[0].Row);
            using var reader = await stored.ExecuteReaderAsync(Ct);
            reader.Read().ShouldBeTrue();
            (reader.GetInt64(0), reader.GetInt64(1)).ShouldBe((8L, 2L), "two bytes a dimension");
        }

        // A row as the store wrote it before half precision: float32 bytes, encoding 4 (the migration's default).
        using (var legacy = connection.CreateCommand())
        {
            legacy.CommandText = "UPDATE embeddings SET vector = $vector, encoding = 4 WHERE item_rowid = $row";
            legacy.Parameters.AddWithValue("$vector", System.Runtime.InteropServices.MemoryMarshal.AsBytes(exact.AsSpan()).ToArray());
            legacy.Parameters.AddWithValue("$row", pending[1].Row);
            (await legacy.ExecuteNonQueryAsync(Ct)).ShouldBe(1);
        }

        var read = (await Embeddings.UserVectorsAsync(Tenant, user.Id, "half-model", ["event"], 0, Ct)).ToDictionary(v => v.Row, v => v.Vector);
        read[pending[1].Row].ShouldBe(exact, "the float32 row reads back exactly");
        read[pending[0].Row].Zip(exact).ShouldAllBe(p => Math.Abs(p.First - p.Second) <= 1e-3 * Math.Max(1, Math.Abs(p.Second)));
        read[pending[0].Row].ShouldNotBe(exact, "half precision rounds");
    }

    // Without the unary + in the statements, SQLite's planner drives an event search from the (tenant_id,
    // created_at) index that retention added, with a full-text match per row: 65 times slower on a 100,000-event
    // store. The plan must start from the full-text index and reach each row by its rowid.
    [Theory]
    [InlineData("event", "events_fts")]
    [InlineData("summary", "summaries_fts")]
    [InlineData("memory", "memories_fts")]
    public async Task A_search_statement_starts_from_the_full_text_index(string kind, string index)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "continuum.db")};Pooling=False");
        await connection.OpenAsync(Ct);
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqliteSearchStore.MatchSql(kind);
        foreach (var (name, value) in new (string, object)[]
        {
            ("$match", "\"fan\""), ("$tenant", Tenant), ("$user", "usr_x"), ("$session", DBNull.Value), ("$agent", DBNull.Value),
            ("$from", 0L), ("$to", long.MaxValue), ("$limit", 10), ("$metadata", DBNull.Value),
        })
        {
            command.Parameters.AddWithValue(name, value);
        }

        var plan = new List<string>();
        using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                plan.Add(reader.GetString(3));
            }
        }

        plan[0].ShouldStartWith($"SCAN {index} VIRTUAL TABLE", customMessage: string.Join(" | ", plan));
        plan.ShouldContain(step => step.Contains("USING INTEGER PRIMARY KEY (rowid=?)", StringComparison.Ordinal), string.Join(" | ", plan));
    }

    private static async Task<ConformanceStores> OpenAsync(string directory, bool deleteOnDispose)
    {
        Directory.CreateDirectory(directory);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddContinuum().UseSqlite(Path.Combine(directory, "continuum.db"));
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        var migrator = provider.GetRequiredService<IStoreMigrator>();
        var report = await migrator.MigrateAsync(CancellationToken.None);
        return new ConformanceStores(async () =>
        {
            await provider.DisposeAsync();
            if (deleteOnDispose)
            {
                DeleteQuietly(directory);
            }
        })
        {
            Sessions = provider.GetRequiredService<ISessionStore>(),
            Events = provider.GetRequiredService<IEventStore>(),
            Users = provider.GetRequiredService<IUserStore>(),
            Migrator = migrator,
            Context = provider.GetRequiredService<IContextStore>(),
            Handoffs = provider.GetRequiredService<Handoffs.IHandoffStore>(),
            Search = provider.GetRequiredService<Search.ISearchStore>(),
            Embeddings = provider.GetRequiredService<Search.IEmbeddingStore>(),
            Memories = provider.GetRequiredService<Memory.IMemoryStore>(),
            Agents = provider.GetRequiredService<Agents.IAgentStore>(),
            Retention = provider.GetRequiredService<Lifecycle.IRetentionStore>(),
            Audit = provider.GetRequiredService<Security.IAuditLog>(),
            FirstMigration = report,
        };
    }

    [Fact]
    public void The_store_describes_itself_by_its_file()
    {
        Migrator.Describe().ShouldStartWith("sqlite:");
        Migrator.Describe().ShouldEndWith("continuum.db");
    }

    [Fact]
    public async Task Acknowledged_writes_are_in_the_file_when_it_is_opened_again()
    {
        var directory = Path.Combine(Path.GetTempPath(), "continuum-reopen-" + Guid.NewGuid().ToString("N"));
        try
        {
            string sessionId;
            await using (var first = await OpenAsync(directory, deleteOnDispose: false))
            {
                var now = DateTimeOffset.UtcNow;
                var session = NewSession(null, "cli", "host-1", now);
                sessionId = session.Id;
                (await first.Sessions.OpenAsync(Tenant, session, null, now, Ct)).Created.ShouldBeTrue();
                for (var i = 0; i < 10; i++)
                {
                    await first.Events.AppendAsync(Tenant, sessionId, [Record($"line {i}")], now, Ct);
                }
            }

            await using var second = await OpenAsync(directory, deleteOnDispose: false);
            second.FirstMigration.Applied.ShouldBeEmpty();
            var events = await second.Events.ListAsync(Tenant, sessionId, 0, 100, Ct);
            events.Select(e => e.Content).ShouldBe(Enumerable.Range(0, 10).Select(i => $"line {i}"));
            (await second.Sessions.GetAsync(Tenant, sessionId, Ct))!.LastSeq.ShouldBe(10);
        }
        finally
        {
            DeleteQuietly(directory);
        }
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file the OS still holds is left for the temp folder's own cleanup.
        }
    }
}
