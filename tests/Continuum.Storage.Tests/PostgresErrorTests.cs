using Continuum.Errors;
using Continuum.Memory;
using Continuum.Storage.Postgres;
using Npgsql;

namespace Continuum.Storage.Tests;

/// <summary>The PostgreSQL driver's errors come out as Continuum's, as SQLite's do, on a real server.</summary>
public sealed class PostgresErrorTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    private CancellationToken Ct => _timeout.Token;

    [Fact]
    public async Task A_unique_key_taken_twice_is_a_conflict_and_the_first_write_stays()
    {
        var (database, connectionString) = await MigratedAsync();
        await using (database)
        {
            var store = new PostgresMemoryStore(database);
            var now = DateTimeOffset.UtcNow;
            var memory = new MemoryItem { Id = "mem_taken", UserId = "usr_1", Kind = MemoryKind.Note, Content = "The first write", ValidFrom = now, CreatedAt = now, UpdatedAt = now };
            static MemoryDecision Keep(MemoryItem m, IReadOnlyList<MemoryItem> current) => new(null, null, [], null);
            await store.AddAsync("t", memory, Keep, Ct);

            var error = await Should.ThrowAsync<ConflictException>(() => store.AddAsync("t", memory with { Content = "A second write with the same id" }, Keep, Ct));
            error.ErrorType.ShouldBe("constraint-violation");
            error.StatusCode.ShouldBe(409);
            (await store.GetAsync("t", "mem_taken", Ct))!.Content.ShouldBe("The first write");
        }

        await cluster.DropDatabaseAsync(connectionString);
    }

    [Theory]
    [InlineData("serialization_failure")]
    [InlineData("deadlock_detected")]
    public async Task A_transaction_the_server_keeps_rolling_back_is_run_again_then_reported_as_transient(string condition)
    {
        var (database, connectionString) = await MigratedAsync();
        await using (database)
        {
            var attempts = 0;
            var error = await Should.ThrowAsync<TransientStoreException>(() => database.WriteAsync(async (c, t) =>
            {
                attempts++;
                using var command = new NpgsqlCommand($"DO $$ BEGIN RAISE EXCEPTION 'collided' USING ERRCODE = '{condition}'; END $$", c, t);
                return await command.ExecuteNonQueryAsync(Ct);
            }, Ct));

            attempts.ShouldBe(6, "a rolled-back transaction is safe to run again");
            error.IsTransient.ShouldBeTrue();
            error.StatusCode.ShouldBe(503);
            error.InnerException.ShouldBeOfType<PostgresException>();
        }

        await cluster.DropDatabaseAsync(connectionString);
    }

    [Fact]
    public async Task A_connection_lost_mid_transaction_is_transient_and_a_later_call_succeeds()
    {
        var (database, connectionString) = await MigratedAsync();
        await using (database)
        {
            var error = await Should.ThrowAsync<TransientStoreException>(() => database.WriteAsync(async (c, t) =>
            {
                using var command = new NpgsqlCommand("SELECT pg_terminate_backend(pg_backend_pid())", c, t);
                return await command.ExecuteScalarAsync(Ct);
            }, Ct));
            error.IsTransient.ShouldBeTrue();

            // The pool hands out a live connection afterwards.
            var answer = await database.ReadAsync(async c =>
            {
                using var command = new NpgsqlCommand("SELECT 42", c);
                return (int)(await command.ExecuteScalarAsync(Ct))!;
            }, Ct);
            answer.ShouldBe(42);
        }

        await cluster.DropDatabaseAsync(connectionString);
    }

    [Fact]
    public async Task A_read_the_server_refuses_leaves_its_pooled_connection_able_to_run_the_same_read_again()
    {
        // One pooled connection, so that every call below runs on the connection the refused ones ran on. A NUL in a
        // parameter is refused by the server as the statement is bound, after it was parsed: the driver's automatic
        // preparation of a statement that fails so must not leave that connection expecting another answer.
        var (database, connectionString) = await MigratedAsync("Maximum Pool Size=1");
        await using (database)
        {
            var store = new PostgresAgentStore(database);
            var now = DateTimeOffset.UtcNow;
            var tags = new[] { "t" };
            (await store.WriteSharedAsync("t", "ns", "plan", "note", null, tags, "ses_a", now, null, false, null, Ct)).ShouldNotBeNull();
            for (var round = 0; round < 12; round++)
            {
                await Should.ThrowAsync<ValidationException>(() => store.SearchSharedAsync("t", "ns", null, tags, null, "nul\u0000", now, 10, Ct));
                var found = await store.SearchSharedAsync("t", "ns", null, tags, null, null, now, 10, Ct);
                found.Select(e => e.Key).ShouldBe(["plan"], $"round {round}");
            }
        }

        await cluster.DropDatabaseAsync(connectionString);
    }

    [Fact]
    public async Task A_write_the_server_refuses_is_rolled_back_and_leaves_its_pooled_connection_able_to_write_again()
    {
        var (database, connectionString) = await MigratedAsync("Maximum Pool Size=1");
        await using (database)
        {
            var store = new PostgresAgentStore(database);
            var now = DateTimeOffset.UtcNow;
            for (var round = 0; round < 12; round++)
            {
                await Should.ThrowAsync<ValidationException>(() => store.WriteSharedAsync("t", "ns", "nul\u0000", "note", null, [], "ses_a", now, null, false, null, Ct));
                var written = await store.WriteSharedAsync("t", "ns", $"key{round}", "note", null, [], "ses_a", now, null, false, null, Ct);
                written.ShouldNotBeNull($"round {round}").Created.ShouldBeTrue();
            }

            (await store.SearchSharedAsync("t", "ns", null, [], null, null, now, 100, Ct)).Count.ShouldBe(12);
        }

        await cluster.DropDatabaseAsync(connectionString);
    }

    private async Task<(PostgresDatabase Database, string ConnectionString)> MigratedAsync(string? options = null)
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        var database = new PostgresDatabase(options is null ? connectionString : connectionString + ";" + options);
        await new PostgresMigrator(database).MigrateAsync(Ct);
        return (database, connectionString);
    }
}
