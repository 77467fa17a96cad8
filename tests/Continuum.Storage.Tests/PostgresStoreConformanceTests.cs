using Continuum.Sessions;
using Continuum.Storage.Postgres;

namespace Continuum.Storage.Tests;

/// <summary>The conformance suite on PostgreSQL: a throw-away cluster for the class, a new database for every test.</summary>
public sealed class PostgresStoreConformanceTests(PostgresCluster cluster) : StoreConformanceTests, IClassFixture<PostgresCluster>
{
    private string _connectionString = "";

    protected override async Task<ConformanceStores> CreateStoresAsync()
    {
        var connectionString = _connectionString = await cluster.CreateDatabaseAsync();
        var database = new PostgresDatabase(connectionString);
        var migrator = new PostgresMigrator(database);
        var report = await migrator.MigrateAsync(CancellationToken.None);
        var events = new PostgresEventStore(database);
        var search = new PostgresSearchStore(database);
        return new ConformanceStores(async () =>
        {
            await events.DisposeAsync();
            await database.DisposeAsync();
            await cluster.DropDatabaseAsync(connectionString);
        })
        {
            Sessions = new PostgresSessionStore(database),
            Events = events,
            Users = new PostgresUserStore(database),
            Migrator = migrator,
            Context = new PostgresContextStore(database),
            Handoffs = new PostgresHandoffStore(database),
            Search = search,
            Embeddings = new PostgresEmbeddingStore(database, search),
            Memories = new PostgresMemoryStore(database),
            Agents = new PostgresAgentStore(database),
            Retention = new PostgresRetentionStore(database),
            Audit = new PostgresAuditLog(database),
            FirstMigration = report,
        };
    }

    [Fact]
    public async Task Vectors_are_stored_in_half_precision_and_real_array_rows_from_before_stay_readable()
    {
        var user = await NewUserAsync();
        var session = await CreateAsync(NewSession(user.Id, "web", "host-half", T0));
        await Events.AppendAsync(Tenant, session.Id, [Record("first"), Record("second")], T0, Ct);
        var pending = (await Embeddings.PendingAsync("half-model", 100, Ct)).Where(p => p.UserId == user.Id).ToList();
        float[] exact = [0.1f, -0.7f, 0.3333333f, 1e-4f];
        await Embeddings.SaveAsync("half-model", [(pending[0], exact), (pending[1], exact)], Ct);

        await using var connection = new Npgsql.NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using (var stored = new Npgsql.NpgsqlCommand("SELECT length(half), cardinality(vector) FROM embeddings WHERE item_rowid = @row", connection))
        {
            stored.Parameters.AddWithValue("row", pending[0].Row);
            await using var reader = await stored.ExecuteReaderAsync(Ct);
            (await reader.ReadAsync(Ct)).ShouldBeTrue();
            (reader.GetInt32(0), reader.GetInt32(1)).ShouldBe((8, 0), "two bytes a dimension, no real[]");
        }

        // A row as the store wrote it before half precision: real[] and no half column.
        await using (var legacy = new Npgsql.NpgsqlCommand("UPDATE embeddings SET vector = @vector, half = NULL WHERE item_rowid = @row", connection))
        {
            legacy.Parameters.AddWithValue("vector", exact);
            legacy.Parameters.AddWithValue("row", pending[1].Row);
            (await legacy.ExecuteNonQueryAsync(Ct)).ShouldBe(1);
        }

        var read = (await Embeddings.UserVectorsAsync(Tenant, user.Id, "half-model", ["event"], 0, Ct)).ToDictionary(v => v.Row, v => v.Vector);
        read[pending[1].Row].ShouldBe(exact, "the real[] row reads back exactly");
        read[pending[0].Row].Zip(exact).ShouldAllBe(p => Math.Abs(p.First - p.Second) <= 1e-3 * Math.Max(1, Math.Abs(p.Second)));
        read[pending[0].Row].ShouldNotBe(exact, "half precision rounds");
    }

    [Fact]
    public async Task The_pgvector_detection_says_absent_on_a_server_without_the_extension_and_vectors_use_the_fallback()
    {
        await using var database = new PostgresDatabase(_connectionString);
        (await PostgresVectorExtension.IsAvailableAsync(database, Ct)).ShouldBeFalse("Debian's PostgreSQL here has no pgvector");

        // The fallback: the store's own column holds the vector and the exact search reads it back.
        var user = await NewUserAsync();
        var session = await CreateAsync(NewSession(user.Id, "web", "host-fallback", T0));
        await Events.AppendAsync(Tenant, session.Id, [Record("fallback")], T0, Ct);
        var pending = (await Embeddings.PendingAsync("fallback-model", 100, Ct)).Where(p => p.UserId == user.Id).ToList();
        await Embeddings.SaveAsync("fallback-model", [(pending[0], [0.5f, 0.25f])], Ct);
        (await Embeddings.UserVectorsAsync(Tenant, user.Id, "fallback-model", ["event"], 0, Ct)).Single().Vector.ShouldBe([0.5f, 0.25f]);
    }

    [Fact]
    public void The_store_describes_itself_by_its_server_and_database()
    {
        Migrator.Describe().ShouldStartWith("postgres:127.0.0.1/t_");
    }

    [Fact]
    public async Task Appends_with_idempotency_keys_commit_in_groups_and_a_retry_is_answered_with_the_original()
    {
        var now = DateTimeOffset.UtcNow;
        var session = NewSession(null, "cli", "host-keys", now);
        await Sessions.OpenAsync(Tenant, session, null, now, Ct);
        var events = (PostgresEventStore)Events;
        var before = events.AppendGroups;

        var first = await Events.AppendAsync(Tenant, session.Id, [Record("one", key: "k-1", at: now)], now, Ct);
        var batch = await Events.AppendAsync(Tenant, session.Id, [Record("two", key: "k-2", at: now), Record("three", key: "k-3", at: now)], now, Ct);
        var grouped = events.AppendGroups;
        (grouped.Grouped - before.Grouped).ShouldBe(2, "both appends went in through group commits");
        grouped.HandedBack.ShouldBe(before.HandedBack);

        var retry = await Events.AppendAsync(Tenant, session.Id, [Record("one again", key: "k-1", at: now)], now, Ct);
        var partial = await Events.AppendAsync(Tenant, session.Id, [Record("three again", key: "k-3", at: now), Record("four", key: "k-4", at: now)], now, Ct);

        (events.AppendGroups.HandedBack - grouped.HandedBack).ShouldBe(2, "a stored key hands the append back to run alone");
        retry[0].Existing.ShouldBeTrue();
        retry[0].Event.Id.ShouldBe(first[0].Event.Id);
        retry[0].Event.Content.ShouldBe("one");
        partial.Select(r => (r.Existing, r.Event.Seq)).ShouldBe([(true, batch[1].Event.Seq), (false, 4L)]);
        (await Events.ListAsync(Tenant, session.Id, 0, 100, Ct)).Select(e => (e.Seq, e.Content, e.IdempotencyKey))
            .ShouldBe([(1L, "one", "k-1"), (2L, "two", "k-2"), (3L, "three", "k-3"), (4L, "four", "k-4")]);
    }

    [Fact]
    public async Task An_append_that_fails_inside_a_group_commit_fails_alone_and_the_rest_of_its_group_commits()
    {
        var now = DateTimeOffset.UtcNow;
        var open = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var session = NewSession(null, "cli", $"host-{i}", now);
            (await Sessions.OpenAsync(Tenant, session, null, now, Ct)).Created.ShouldBeTrue();
            open.Add(session.Id);
        }

        var closed = NewSession(null, "cli", "host-closed", now);
        await Sessions.OpenAsync(Tenant, closed, null, now, Ct);
        await Sessions.UpdateAsync(Tenant, closed.Id, s => s with { Status = Continuum.Sessions.SessionStatus.Closed }, Ct);

        // Six writers at once, so appends share groups; every seventh carries a NUL, which PostgreSQL refuses and
        // which rolls its whole group back; a seventh writer appends to the closed session.
        var acknowledged = open.ToDictionary(id => id, _ => new List<string>());
        var refused = 0;
        await Task.WhenAll(open.Select((id, writer) => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                var content = i % 7 == 3 ? $"w{writer}-{i} bad\0byte" : $"w{writer}-{i}";
                try
                {
                    await Events.AppendAsync(Tenant, id, [Record(content, at: now)], now, Ct);
                    acknowledged[id].Add(content);
                }
                catch (Errors.ValidationException ex)
                {
                    content.ShouldContain("\0");
                    ex.Message.ShouldContain("NUL");
                    Interlocked.Increment(ref refused);
                }
            }
        })).Append(Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                var error = await Should.ThrowAsync<Errors.ConflictException>(() => Events.AppendAsync(Tenant, closed.Id, [Record($"late {i}", at: now)], now, Ct));
                error.ErrorType.ShouldBe("session-closed");
            }
        })));

        refused.ShouldBe(6 * 6, "each writer's six bad appends, and only those, were refused");
        foreach (var id in open)
        {
            var stored = await Events.ListAsync(Tenant, id, 0, 100, Ct);
            stored.Select(e => e.Content).ShouldBe(acknowledged[id], "every acknowledged append, in order, and nothing else");
            stored.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, acknowledged[id].Count).Select(n => (long)n), "seq has no gap where a group was rolled back");
            (await Sessions.GetAsync(Tenant, id, Ct))!.LastSeq.ShouldBe(acknowledged[id].Count);
        }

        (await Events.ListAsync(Tenant, closed.Id, 0, 100, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Several_nodes_migrating_at_once_apply_each_migration_once()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        try
        {
            var nodes = Enumerable.Range(0, 4).Select(_ => new PostgresDatabase(connectionString)).ToList();
            var reports = await Task.WhenAll(nodes.Select(n => new PostgresMigrator(n).MigrateAsync(Ct)));
            reports.Count(r => r.Applied.Count > 0).ShouldBe(1);
            reports.ShouldAllBe(r => r.ToVersion == PostgresMigrator.LatestVersion);
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
        finally
        {
            await cluster.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task Acknowledged_appends_survive_a_server_restart_and_the_store_reconnects()
    {
        var now = DateTimeOffset.UtcNow;
        var session = NewSession(null, "cli", "host-1", now);
        (await Sessions.OpenAsync(Tenant, session, null, now, Ct)).Created.ShouldBeTrue();
        for (var i = 0; i < 20; i++)
        {
            await Events.AppendAsync(Tenant, session.Id, [Record($"line {i}")], now, Ct);
        }

        await cluster.StopAsync("immediate");
        await cluster.StartAsync();

        // The pool's old connections are dead; the store opens new ones, and every acknowledged event is there.
        (await Events.ListAsync(Tenant, session.Id, 0, 100, Ct)).Select(e => e.Content).ShouldBe(Enumerable.Range(0, 20).Select(i => $"line {i}"));
        await Events.AppendAsync(Tenant, session.Id, [Record("after the restart")], now, Ct);
        (await Sessions.GetAsync(Tenant, session.Id, Ct))!.LastSeq.ShouldBe(21);
    }

    [Fact]
    public async Task A_background_job_runs_on_one_node_at_a_time_and_a_dead_nodes_lease_is_freed()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        var nodeA = new PostgresDatabase(connectionString);
        var nodeB = new PostgresDatabase(connectionString);
        try
        {
            var leaseA = new PostgresClusterLease(nodeA);
            var leaseB = new PostgresClusterLease(nodeB);
            var held = await leaseA.TryAcquireAsync("session-expiry", Ct);
            held.ShouldNotBeNull();
            (await leaseB.TryAcquireAsync("session-expiry", Ct)).ShouldBeNull("node A runs the job now");
            (await leaseB.TryAcquireAsync("compression-sweep", Ct)).ShouldNotBeNull("another job is free");

            await held.DisposeAsync();
            var taken = await leaseB.TryAcquireAsync("session-expiry", Ct);
            taken.ShouldNotBeNull("released by node A");

            // Node B dies while holding it: the server ends its session, which frees the lease for node A.
            await using (var admin = new Npgsql.NpgsqlConnection(connectionString))
            {
                await admin.OpenAsync(Ct);
                await using var kill = new Npgsql.NpgsqlCommand(
                    "SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()", admin);
                await kill.ExecuteNonQueryAsync(Ct);
            }

            IAsyncDisposable? again = null;
            for (var i = 0; i < 50 && again is null; i++)
            {
                again = await leaseA.TryAcquireAsync("session-expiry", Ct);
                if (again is null)
                {
                    await Task.Delay(100, Ct);
                }
            }

            again.ShouldNotBeNull("the dead node's lease was freed");
            await again.DisposeAsync();
        }
        finally
        {
            await nodeA.DisposeAsync();
            await nodeB.DisposeAsync();
            await cluster.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task The_hot_session_cache_answers_repeated_reads_and_never_returns_what_another_node_changed()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        var nodeA = new PostgresDatabase(connectionString);
        var nodeB = new PostgresDatabase(connectionString);
        using var cache = new PostgresSessionCache(capacity: 2);
        try
        {
            await new PostgresMigrator(nodeA).MigrateAsync(Ct);
            var cachedA = new PostgresSessionStore(nodeA, cache);
            var storeB = new PostgresSessionStore(nodeB);
            var eventsB = new PostgresEventStore(nodeB);
            var now = DateTimeOffset.UtcNow;
            var session = NewSession(null, "cli", "host-1", now);
            await storeB.OpenAsync(Tenant, session, null, now, Ct);

            (await cachedA.GetAsync(Tenant, session.Id, Ct))!.Title.ShouldBe(session.Title);
            (await cachedA.GetAsync(Tenant, session.Id, Ct)).ShouldNotBeNull();
            cache.Snapshot().ShouldBe(new SessionCacheStats(2, 1, Hits: 1, Misses: 1, Invalidations: 0));

            // Node B renames it and appends to it: node A's next read sees both, not its cached copy.
            await storeB.UpdateAsync(Tenant, session.Id, s => s with { Title = "renamed on B" }, Ct);
            (await cachedA.GetAsync(Tenant, session.Id, Ct))!.Title.ShouldBe("renamed on B");
            await eventsB.AppendAsync(Tenant, session.Id, [Record("from B")], now, Ct);
            (await cachedA.GetAsync(Tenant, session.Id, Ct))!.LastSeq.ShouldBe(1);
            (await cachedA.GetAsync(Tenant, session.Id, Ct))!.LastSeq.ShouldBe(1);
            var stats = cache.Snapshot();
            stats.Hits.ShouldBe(2);
            stats.Misses.ShouldBe(3);
            stats.HitRate.ShouldBe(0.4);

            // Deleted elsewhere: gone here too. The least recently read go first when the cache is full.
            await storeB.DeleteAsync(Tenant, session.Id, Ct);
            (await cachedA.GetAsync(Tenant, session.Id, Ct)).ShouldBeNull();
            foreach (var name in new[] { "one", "two", "three" })
            {
                var other = NewSession(null, "cli", name, now);
                await storeB.OpenAsync(Tenant, other, null, now, Ct);
                await cachedA.GetAsync(Tenant, other.Id, Ct);
            }

            cache.Snapshot().Entries.ShouldBe(2);
        }
        finally
        {
            await nodeA.DisposeAsync();
            await nodeB.DisposeAsync();
            await cluster.DropDatabaseAsync(connectionString);
        }
    }
}
