using Continuum.Context;
using Continuum.Sessions;
using Continuum.Storage.Sqlite;
using Continuum.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Storage.Tests;

/// <summary>The conformance suite on the embedded store: a new SQLite file in a temp folder for every test.</summary>
public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    protected override Task<ConformanceStores> CreateStoresAsync() =>
        OpenAsync(Path.Combine(Path.GetTempPath(), "continuum-store-" + Guid.NewGuid().ToString("N")), deleteOnDispose: true);

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
