using System.Text.Json;
using System.Text.Json.Nodes;
using Continuum.Context;
using Continuum.Errors;
using Continuum.Sessions;
using Continuum.Users;

namespace Continuum.Storage.Tests;

/// <summary>
/// What every store must do, written against the store interfaces only. A provider runs it by deriving a class
/// that makes fresh, migrated stores. Every test acts in a tenant of its own, with times it chooses, so no test
/// sees another's data or depends on the clock.
/// </summary>
public abstract partial class StoreConformanceTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private const long Week = 7 * 24 * 3600;

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(3));
    private ConformanceStores? _stores;

    protected string Tenant { get; } = "t_" + Guid.NewGuid().ToString("N");

    protected CancellationToken Ct => _timeout.Token;

    protected ISessionStore Sessions => Stores.Sessions;

    protected IEventStore Events => Stores.Events;

    protected IUserStore Users => Stores.Users;

    protected IStoreMigrator Migrator => Stores.Migrator;

    protected IContextStore Context => Stores.Context;

    protected Handoffs.IHandoffStore Handoffs => Stores.Handoffs;

    protected Search.ISearchStore Search => Stores.Search;

    protected Search.IEmbeddingStore Embeddings => Stores.Embeddings;

    protected Memory.IMemoryStore Memories => Stores.Memories;

    protected Agents.IAgentStore Agents => Stores.Agents;

    protected Lifecycle.IRetentionStore Retention => Stores.Retention;

    protected Security.IAuditLog Audit => Stores.Audit;

    private ConformanceStores Stores => _stores ?? throw new InvalidOperationException("The stores are made in InitializeAsync.");

    /// <summary>Makes a new, migrated, empty set of stores.</summary>
    protected abstract Task<ConformanceStores> CreateStoresAsync();

    public async Task InitializeAsync() => _stores = await CreateStoresAsync();

    public async Task DisposeAsync()
    {
        if (_stores is not null)
        {
            await _stores.DisposeAsync();
        }

        _timeout.Dispose();
    }

    // ---- Sessions: open and resume ----

    [Fact]
    public async Task Open_without_a_resume_key_stores_the_candidate_as_given()
    {
        var user = await NewUserAsync();
        var candidate = NewSession(user.Id, "telegram", "chat-1", T0) with { Title = "GPU temps", Metadata = Json("""{"source":"bot"}""") };

        var result = await Sessions.OpenAsync(Tenant, candidate, null, T0, Ct);

        result.Created.ShouldBeTrue();
        var stored = await Sessions.GetAsync(Tenant, candidate.Id, Ct);
        stored.ShouldNotBeNull();
        stored.UserId.ShouldBe(user.Id);
        stored.Interface.ShouldBe("telegram");
        stored.InterfaceId.ShouldBe("chat-1");
        stored.NodeName.ShouldBe("node-a");
        stored.Status.ShouldBe(SessionStatus.Active);
        stored.Title.ShouldBe("GPU temps");
        stored.CreatedAt.ShouldBe(T0);
        stored.LastActiveAt.ShouldBe(T0);
        stored.ExpiresAt.ShouldBe(T0.AddSeconds(Week));
        stored.ExpiresInSeconds.ShouldBe(Week);
        stored.TokenLimit.ShouldBe(4000);
        stored.LastSeq.ShouldBe(0);
        stored.Counters.ShouldBe(new SessionCounters());
        stored.Metadata.GetProperty("source").GetString().ShouldBe("bot");
        stored.State.ValueKind.ShouldBe(JsonValueKind.Object);
    }

    [Fact]
    public async Task Get_of_an_unknown_session_is_null()
    {
        (await Sessions.GetAsync(Tenant, "ses_00000000000000000000000000", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Open_resumes_the_most_recently_active_unexpired_session_of_the_user_and_updates_its_interface()
    {
        var user = await NewUserAsync();
        var older = await CreateAsync(NewSession(user.Id, "telegram", "chat-1", T0));
        var newer = await CreateAsync(NewSession(user.Id, "telegram", "chat-1", T0.AddMinutes(5)));
        await CreateAsync(NewSession((await NewUserAsync()).Id, "web", "cookie-1", T0.AddMinutes(20)));

        // An event makes the older session the most recently active one.
        await Events.AppendAsync(Tenant, older.Id, [Record("still here")], T0.AddMinutes(15), Ct);

        var now = T0.AddMinutes(30);
        var candidate = NewSession(user.Id, "web", "cookie-9", now);
        var result = await Sessions.OpenAsync(Tenant, candidate, new ResumeKey(user.Id, null, "web", "cookie-9"), now, Ct);

        result.Created.ShouldBeFalse();
        result.Session.Id.ShouldBe(older.Id);
        result.Session.Interface.ShouldBe("web");
        result.Session.InterfaceId.ShouldBe("cookie-9");
        result.Session.Status.ShouldBe(SessionStatus.Active);
        result.Session.CreatedAt.ShouldBe(T0);
        result.Session.LastActiveAt.ShouldBe(now);
        result.Session.ExpiresAt.ShouldBe(now.AddSeconds(Week));
        result.Session.LastSeq.ShouldBe(1);

        var stored = await Sessions.GetAsync(Tenant, older.Id, Ct);
        stored!.Interface.ShouldBe("web");
        stored.InterfaceId.ShouldBe("cookie-9");
        (await Sessions.GetAsync(Tenant, candidate.Id, Ct)).ShouldBeNull("nothing new was stored");
        (await Sessions.GetAsync(Tenant, newer.Id, Ct))!.Interface.ShouldBe("telegram");
    }

    [Fact]
    public async Task Concurrent_opens_with_one_resume_key_create_exactly_one_session()
    {
        var user = await NewUserAsync();
        var key = new ResumeKey(user.Id, null, "web", "cookie-1");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            Sessions.OpenAsync(Tenant, NewSession(user.Id, "web", "cookie-1", T0.AddMilliseconds(i)), key, T0.AddSeconds(1), Ct))));

        results.Count(r => r.Created).ShouldBe(1);
        results.Select(r => r.Session.Id).Distinct().Count().ShouldBe(1);
        (await Sessions.ListAsync(Tenant, new SessionQuery { UserId = user.Id, Limit = 50 }, Ct)).Items.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Open_with_an_agent_resumes_only_that_agents_session_of_the_user()
    {
        var user = await NewUserAsync();
        var own = await CreateAsync(NewSession(user.Id, "web", "cookie-1", T0.AddMinutes(20)));
        var planner = await CreateAsync(NewSession(user.Id, "agent", "host-1", T0) with { AgentId = "planner" });
        var coder = await CreateAsync(NewSession(user.Id, "agent", "host-1", T0.AddMinutes(10)) with { AgentId = "coder" });

        var now = T0.AddMinutes(30);
        var asPlanner = await Sessions.OpenAsync(Tenant, NewSession(user.Id, "agent", "host-2", now) with { AgentId = "planner" },
            new ResumeKey(user.Id, "planner", "agent", "host-2"), now, Ct);
        var asPerson = await Sessions.OpenAsync(Tenant, NewSession(user.Id, "web", "cookie-1", now),
            new ResumeKey(user.Id, null, "web", "cookie-1"), now, Ct);
        var asNewAgent = await Sessions.OpenAsync(Tenant, NewSession(user.Id, "agent", "host-3", now) with { AgentId = "reviewer" },
            new ResumeKey(user.Id, "reviewer", "agent", "host-3"), now, Ct);

        asPlanner.Session.Id.ShouldBe(planner.Id);
        asPlanner.Session.InterfaceId.ShouldBe("host-2");
        asPerson.Session.Id.ShouldBe(own.Id);
        asNewAgent.Created.ShouldBeTrue();
        (await Sessions.GetAsync(Tenant, coder.Id, Ct))!.LastActiveAt.ShouldBe(coder.LastActiveAt);
    }

    [Fact]
    public async Task Open_does_not_resume_closed_expired_or_lapsed_sessions()
    {
        var user = await NewUserAsync();
        var closed = await CreateAsync(NewSession(user.Id, "web", "c", T0.AddMinutes(3)));
        await Sessions.UpdateAsync(Tenant, closed.Id, s => s with { Status = SessionStatus.Closed }, Ct);
        var expired = await CreateAsync(NewSession(user.Id, "web", "c", T0.AddMinutes(2)));
        await Sessions.UpdateAsync(Tenant, expired.Id, s => s with { Status = SessionStatus.Expired }, Ct);
        var lapsed = await CreateAsync(NewSession(user.Id, "web", "c", T0.AddMinutes(1), expiresInSeconds: 60));

        var now = T0.AddMinutes(10);
        var candidate = NewSession(user.Id, "web", "c", now);
        var result = await Sessions.OpenAsync(Tenant, candidate, new ResumeKey(user.Id, null, "web", "c"), now, Ct);

        result.Created.ShouldBeTrue();
        result.Session.Id.ShouldBe(candidate.Id);
        (await Sessions.GetAsync(Tenant, closed.Id, Ct))!.Status.ShouldBe(SessionStatus.Closed);
        (await Sessions.GetAsync(Tenant, expired.Id, Ct))!.Status.ShouldBe(SessionStatus.Expired);
        (await Sessions.GetAsync(Tenant, lapsed.Id, Ct))!.LastActiveAt.ShouldBe(lapsed.LastActiveAt);
    }

    [Fact]
    public async Task Open_resumes_an_inactive_session_and_makes_it_active()
    {
        var user = await NewUserAsync();
        var idle = await CreateAsync(NewSession(user.Id, "discord", "guild-1", T0));
        await Sessions.UpdateAsync(Tenant, idle.Id, s => s with { Status = SessionStatus.Inactive }, Ct);

        var now = T0.AddHours(2);
        var result = await Sessions.OpenAsync(Tenant, NewSession(user.Id, "discord", null, now), new ResumeKey(user.Id, null, "discord", null), now, Ct);

        result.Created.ShouldBeFalse();
        result.Session.Id.ShouldBe(idle.Id);
        (await Sessions.GetAsync(Tenant, idle.Id, Ct))!.Status.ShouldBe(SessionStatus.Active);
    }

    [Fact]
    public async Task Anonymous_open_resumes_by_interface_and_interface_id_only()
    {
        var user = await NewUserAsync();
        var cookieA = await CreateAsync(NewSession(null, "web", "cookie-A", T0));
        await CreateAsync(NewSession(null, "web", "cookie-B", T0.AddMinutes(1)));
        await CreateAsync(NewSession(user.Id, "web", "cookie-A", T0.AddMinutes(2)));

        var now = T0.AddMinutes(5);
        var again = await Sessions.OpenAsync(Tenant, NewSession(null, "web", "cookie-A", now), new ResumeKey(null, null, "web", "cookie-A"), now, Ct);
        var otherInterface = await Sessions.OpenAsync(Tenant, NewSession(null, "telegram", "cookie-A", now), new ResumeKey(null, null, "telegram", "cookie-A"), now, Ct);
        var otherHandle = await Sessions.OpenAsync(Tenant, NewSession(null, "web", "cookie-C", now), new ResumeKey(null, null, "web", "cookie-C"), now, Ct);

        again.Created.ShouldBeFalse();
        again.Session.Id.ShouldBe(cookieA.Id);
        again.Session.UserId.ShouldBeNull();
        otherInterface.Created.ShouldBeTrue();
        otherHandle.Created.ShouldBeTrue();
    }

    // ---- Events ----

    [Fact]
    public async Task A_batch_gets_contiguous_seq_numbers_in_order_with_the_sessions_interface()
    {
        var session = await CreateAsync(NewSession(null, "cli", "host-1", T0));
        var imported = T0.AddDays(-3);
        var batch = Enumerable.Range(1, 5)
            .Select(i => Record($"event {i}", at: imported.AddMinutes(i), metadata: i == 2 ? """{"model":"m-1","latencyMs":812,"tags":["a","b"]}""" : null))
            .ToList();

        var results = await Events.AppendAsync(Tenant, session.Id, batch, T0.AddMinutes(1), Ct);

        results.Select(r => r.Event.Seq).ShouldBe([1L, 2, 3, 4, 5]);
        results.ShouldAllBe(r => !r.Existing);
        var listed = await Events.ListAsync(Tenant, session.Id, 0, 100, Ct);
        listed.Select(e => e.Content).ShouldBe(batch.Select(b => b.Content));
        listed.Select(e => e.Id).ShouldBe(batch.Select(b => b.Id));
        listed.ShouldAllBe(e => e.Interface == "cli" && e.SessionId == session.Id);
        listed[2].CreatedAt.ShouldBe(imported.AddMinutes(3));
        JsonNode.DeepEquals(JsonNode.Parse(listed[1].Metadata!.Value.GetRawText()), JsonNode.Parse("""{"model":"m-1","latencyMs":812,"tags":["a","b"]}""")).ShouldBeTrue();
        listed[0].Metadata.ShouldBeNull();
        (await Sessions.GetAsync(Tenant, session.Id, Ct))!.LastSeq.ShouldBe(5);
    }

    [Fact]
    public async Task Concurrent_appends_get_seq_1_to_640_exactly_and_exact_counters()
    {
        const int writers = 32;
        const int perWriter = 20;
        var session = await CreateAsync(NewSession(null, "api", "load-1", T0));
        var now = T0.AddSeconds(1);

        var perWriterSeqs = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var seqs = new List<long>(perWriter);
            for (var i = 0; i < perWriter; i++)
            {
                var result = await Events.AppendAsync(Tenant, session.Id, [ConcurrentRecord(w, i)], now, Ct);
                seqs.Add(result[0].Event.Seq);
            }

            return seqs;
        })));

        perWriterSeqs.ShouldAllBe(seqs => seqs.SequenceEqual(seqs.Order()), "each writer's events keep its order");
        perWriterSeqs.SelectMany(s => s).Order().ShouldBe(Enumerable.Range(1, writers * perWriter).Select(i => (long)i));

        var listed = await Events.ListAsync(Tenant, session.Id, 0, 1000, Ct);
        listed.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, writers * perWriter).Select(i => (long)i));
        listed.Select(e => e.Content).Order(StringComparer.Ordinal)
            .ShouldBe(Enumerable.Range(0, writers).SelectMany(w => Enumerable.Range(0, perWriter).Select(i => ConcurrentRecord(w, i).Content)).Order(StringComparer.Ordinal));

        var expected = Enumerable.Range(0, writers).SelectMany(w => Enumerable.Range(0, perWriter).Select(i => ConcurrentRecord(w, i))).ToList();
        var stored = await Sessions.GetAsync(Tenant, session.Id, Ct);
        stored!.LastSeq.ShouldBe(writers * perWriter);
        stored.Counters.ShouldBe(new SessionCounters
        {
            Messages = expected.Count(e => e.Type == EventType.Message),
            ToolCalls = expected.Count(e => e.Type == EventType.ToolCall),
            Errors = expected.Count(e => e.Type == EventType.Error),
            InputTokens = expected.Where(e => e.Role != EventRole.Assistant).Sum(e => e.Tokens),
            OutputTokens = expected.Where(e => e.Role == EventRole.Assistant).Sum(e => e.Tokens),
        });
    }

    [Fact]
    public async Task An_idempotency_key_seen_before_returns_the_original_and_stores_nothing_new()
    {
        var session = await CreateAsync(NewSession(null, "telegram", "chat-7", T0));

        var first = (await Events.AppendAsync(Tenant, session.Id, [Record("GPU temp is 82C", key: "msg-1")], T0, Ct))[0];
        var retry = (await Events.AppendAsync(Tenant, session.Id, [Record("GPU temp is 82C (retry)", key: "msg-1")], T0.AddSeconds(1), Ct))[0];
        var next = (await Events.AppendAsync(Tenant, session.Id, [Record("next")], T0.AddSeconds(2), Ct))[0];

        first.Existing.ShouldBeFalse();
        retry.Existing.ShouldBeTrue();
        retry.Event.Id.ShouldBe(first.Event.Id);
        retry.Event.Seq.ShouldBe(1);
        retry.Event.Content.ShouldBe("GPU temp is 82C");
        retry.Event.IdempotencyKey.ShouldBe("msg-1");
        next.Event.Seq.ShouldBe(2);
        (await Events.ListAsync(Tenant, session.Id, 0, 100, Ct)).Count.ShouldBe(2);
        var stored = await Sessions.GetAsync(Tenant, session.Id, Ct);
        stored!.LastSeq.ShouldBe(2);
        stored.Counters.Messages.ShouldBe(2);
    }

    [Fact]
    public async Task Idempotency_keys_count_within_a_batch_and_within_one_session_only()
    {
        var session = await CreateAsync(NewSession(null, "web", "w-1", T0));
        var other = await CreateAsync(NewSession(null, "web", "w-2", T0));
        await Events.AppendAsync(Tenant, session.Id, [Record("one", key: "k-1")], T0, Ct);

        var results = await Events.AppendAsync(Tenant, session.Id,
            [Record("one again", key: "k-1"), Record("two", key: "k-2"), Record("two again", key: "k-2"), Record("three")], T0, Ct);
        var elsewhere = await Events.AppendAsync(Tenant, other.Id, [Record("one", key: "k-1")], T0, Ct);

        results.Select(r => r.Existing).ShouldBe([true, false, true, false]);
        results.Select(r => r.Event.Seq).ShouldBe([1L, 2, 2, 3]);
        results[2].Event.Content.ShouldBe("two");
        elsewhere[0].Existing.ShouldBeFalse();
        elsewhere[0].Event.Seq.ShouldBe(1);
        (await Events.ListAsync(Tenant, session.Id, 0, 100, Ct)).Select(e => e.Content).ShouldBe(["one", "two", "three"]);
    }

    [Fact]
    public async Task A_batch_appended_to_a_closed_session_is_refused_with_409_and_stores_nothing()
    {
        var session = await CreateAsync(NewSession(null, "web", "w-1", T0));
        await Events.AppendAsync(Tenant, session.Id, [Record("before")], T0, Ct);
        await Sessions.UpdateAsync(Tenant, session.Id, s => s with { Status = SessionStatus.Closed }, Ct);

        var error = await Should.ThrowAsync<ConflictException>(() =>
            Events.AppendAsync(Tenant, session.Id, [Record("a"), Record("b"), Record("c")], T0.AddMinutes(1), Ct));

        error.StatusCode.ShouldBe(409);
        (await Events.ListAsync(Tenant, session.Id, 0, 100, Ct)).Select(e => e.Content).ShouldBe(["before"]);
        var stored = await Sessions.GetAsync(Tenant, session.Id, Ct);
        stored!.LastSeq.ShouldBe(1);
        stored.Counters.Messages.ShouldBe(1);
        stored.Status.ShouldBe(SessionStatus.Closed);
    }

    [Fact]
    public async Task Appending_to_a_session_past_its_expiry_is_a_conflict()
    {
        var session = await CreateAsync(NewSession(null, "web", "w-1", T0, expiresInSeconds: 60));

        await Should.ThrowAsync<ConflictException>(() => Events.AppendAsync(Tenant, session.Id, [Record("late")], T0.AddMinutes(2), Ct));

        (await Events.ListAsync(Tenant, session.Id, 0, 10, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Appending_to_an_unknown_session_is_not_found()
    {
        await Should.ThrowAsync<NotFoundException>(() => Events.AppendAsync(Tenant, "ses_unknown", [Record("hello")], T0, Ct));
    }

    [Fact]
    public async Task An_append_makes_an_inactive_session_active_and_slides_its_expiry()
    {
        var session = await CreateAsync(NewSession(null, "web", "w-1", T0, expiresInSeconds: 3600));
        await Sessions.UpdateAsync(Tenant, session.Id, s => s with { Status = SessionStatus.Inactive }, Ct);

        var now = T0.AddMinutes(30);
        await Events.AppendAsync(Tenant, session.Id, [Record("back")], now, Ct);

        var stored = await Sessions.GetAsync(Tenant, session.Id, Ct);
        stored!.Status.ShouldBe(SessionStatus.Active);
        stored.LastActiveAt.ShouldBe(now);
        stored.ExpiresAt.ShouldBe(now.AddHours(1));
    }

    [Fact]
    public async Task Events_page_by_after_and_limit_in_seq_order()
    {
        var session = await CreateAsync(NewSession(null, "web", "w-1", T0));
        await Events.AppendAsync(Tenant, session.Id, [.. Enumerable.Range(1, 25).Select(i => Record($"e{i}"))], T0, Ct);

        var first = await Events.ListAsync(Tenant, session.Id, 0, 10, Ct);
        var second = await Events.ListAsync(Tenant, session.Id, first[^1].Seq, 10, Ct);
        var third = await Events.ListAsync(Tenant, session.Id, second[^1].Seq, 10, Ct);
        var beyond = await Events.ListAsync(Tenant, session.Id, 25, 10, Ct);

        first.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, 10).Select(i => (long)i));
        second.Select(e => e.Seq).ShouldBe(Enumerable.Range(11, 10).Select(i => (long)i));
        third.Select(e => e.Content).ShouldBe(Enumerable.Range(21, 5).Select(i => $"e{i}"));
        beyond.ShouldBeEmpty();
        (await Events.ListAsync(Tenant, session.Id, 7, 1, Ct)).Single().Content.ShouldBe("e8");
    }

    // ---- Listing, updating, deleting ----

    [Fact]
    public async Task Sessions_list_newest_first_and_page_by_cursor_without_gaps_or_repeats()
    {
        var user = await NewUserAsync();
        var mine = new List<Session>();
        for (var i = 0; i < 7; i++)
        {
            mine.Add(await CreateAsync(NewSession(user.Id, "web", $"w-{i}", T0.AddMinutes(i))));
        }

        await CreateAsync(NewSession((await NewUserAsync()).Id, "web", "other", T0.AddMinutes(3)));

        var pages = await ListAllAsync(new SessionQuery { UserId = user.Id, Limit = 3 });

        pages.Select(p => p.Items.Count).ShouldBe([3, 3, 1]);
        pages[^1].Next.ShouldBeNull();
        pages.SelectMany(p => p.Items).Select(s => s.Id).ShouldBe(mine.AsEnumerable().Reverse().Select(s => s.Id));
    }

    [Fact]
    public async Task A_sessions_links_page_exactly_when_they_share_a_creation_time()
    {
        var parent = await CreateAsync(NewSession(null, "cli", "links-tie", T0));
        var forks = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            forks.Add((await Sessions.DeriveAsync(Tenant, parent.Id, SessionLinkType.Fork, 0, 0, (p, _) => Child(p, p.Interface), Ct)).Id);
        }

        var listed = new List<SessionLink>();
        ListCursor? after = null;
        var pages = 0;
        do
        {
            var page = ListCursor.Page(await Sessions.GetLinksAsync(Tenant, parent.Id, 3, after, Ct), 2, SessionLink.CursorAfter);
            listed.AddRange(page.Items);
            after = ListCursor.Parse(page.Next);
            pages++;
        }
        while (after is not null && pages < 10);

        pages.ShouldBe(3);
        listed.ShouldAllBe(l => l.CreatedAt == listed[0].CreatedAt, "the forks share a creation time, so the ids break the tie");
        listed.Select(l => l.ToSessionId).Order(StringComparer.Ordinal).ShouldBe(forks.Order(StringComparer.Ordinal));
        listed.Select(l => l.ToSessionId).Distinct().Count().ShouldBe(5);
        (await Sessions.GetLinksAsync(Tenant, parent.Id, 100, null, Ct)).ShouldBe(listed, "the pages hold the whole listing in its order");
    }

    [Fact]
    public async Task Paging_is_exact_when_sessions_share_a_creation_time()
    {
        var user = await NewUserAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await CreateAsync(NewSession(user.Id, "web", $"w-{i}", T0))).Id);
        }

        var pages = await ListAllAsync(new SessionQuery { UserId = user.Id, Limit = 2 });

        pages.Count.ShouldBe(3);
        var listed = pages.SelectMany(p => p.Items).Select(s => s.Id).ToList();
        listed.Count.ShouldBe(5);
        listed.Order(StringComparer.Ordinal).ShouldBe(ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Sessions_list_by_interface_status_and_agent()
    {
        var user = await NewUserAsync();
        var web = await CreateAsync(NewSession(user.Id, "web", "w", T0));
        var telegram = await CreateAsync(NewSession(user.Id, "telegram", "t", T0.AddMinutes(1)));
        var agent = await CreateAsync(NewSession(user.Id, "agent", "h", T0.AddMinutes(2)) with { AgentId = "planner" });
        await Sessions.UpdateAsync(Tenant, telegram.Id, s => s with { Status = SessionStatus.Closed }, Ct);

        (await Sessions.ListAsync(Tenant, new SessionQuery { Interface = "web", Limit = 10 }, Ct)).Items.Select(s => s.Id).ShouldBe([web.Id]);
        (await Sessions.ListAsync(Tenant, new SessionQuery { Status = SessionStatus.Closed, Limit = 10 }, Ct)).Items.Select(s => s.Id).ShouldBe([telegram.Id]);
        (await Sessions.ListAsync(Tenant, new SessionQuery { AgentId = "planner", Limit = 10 }, Ct)).Items.Select(s => s.Id).ShouldBe([agent.Id]);
        (await Sessions.ListAsync(Tenant, new SessionQuery { UserId = user.Id, Status = SessionStatus.Active, Limit = 10 }, Ct)).Items.Select(s => s.Id)
            .ShouldBe([agent.Id, web.Id]);
    }

    [Fact]
    public async Task Update_applies_the_function_to_the_current_session_and_keeps_its_counters()
    {
        var session = await CreateAsync(NewSession(null, "web", "w", T0));
        await Events.AppendAsync(Tenant, session.Id, [Record("a"), Record("b", role: EventRole.Assistant)], T0, Ct);
        Session? seen = null;

        var updated = await Sessions.UpdateAsync(Tenant, session.Id, current =>
        {
            seen = current;
            return current with { Title = "renamed", Status = SessionStatus.Inactive, State = Json("""{"step":2}"""), TokenLimit = 8000 };
        }, Ct);

        seen!.LastSeq.ShouldBe(2);
        updated.ShouldNotBeNull();
        var stored = await Sessions.GetAsync(Tenant, session.Id, Ct);
        foreach (var s in new[] { updated, stored! })
        {
            s.Title.ShouldBe("renamed");
            s.Status.ShouldBe(SessionStatus.Inactive);
            s.State.GetProperty("step").GetInt32().ShouldBe(2);
            s.TokenLimit.ShouldBe(8000);
            s.LastSeq.ShouldBe(2);
            s.Counters.Messages.ShouldBe(2);
            s.CreatedAt.ShouldBe(T0);
        }
    }

    [Fact]
    public async Task Concurrent_updates_each_see_the_result_of_the_one_before()
    {
        var session = await CreateAsync(NewSession(null, "web", "w", T0) with { State = Json("""{"n":0}""") });

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
            Sessions.UpdateAsync(Tenant, session.Id, s => s with { State = Json($$"""{"n":{{s.State.GetProperty("n").GetInt32() + 1}}}""") }, Ct))));

        (await Sessions.GetAsync(Tenant, session.Id, Ct))!.State.GetProperty("n").GetInt32().ShouldBe(20);
    }

    [Fact]
    public async Task Update_of_an_unknown_session_is_null_and_does_not_call_the_function()
    {
        var called = false;

        var result = await Sessions.UpdateAsync(Tenant, "ses_unknown", s =>
        {
            called = true;
            return s;
        }, Ct);

        result.ShouldBeNull();
        called.ShouldBeFalse();
    }

    [Fact]
    public async Task Delete_removes_the_session_its_events_and_its_links()
    {
        var session = await CreateAsync(NewSession(null, "web", "w", T0));
        await Events.AppendAsync(Tenant, session.Id, [Record("a"), Record("b"), Record("c")], T0, Ct);
        var child = await Sessions.DeriveAsync(Tenant, session.Id, SessionLinkType.Continuation, null, 3, (p, _) => Child(p, "cli"), Ct);
        var keep = await CreateAsync(NewSession(null, "web", "keep", T0));
        await Events.AppendAsync(Tenant, keep.Id, [Record("kept")], T0, Ct);

        (await Sessions.DeleteAsync(Tenant, session.Id, Ct)).ShouldBeTrue();

        (await Sessions.GetAsync(Tenant, session.Id, Ct)).ShouldBeNull();
        (await Events.ListAsync(Tenant, session.Id, 0, 100, Ct)).ShouldBeEmpty();
        (await Sessions.GetLinksAsync(Tenant, child.Id, 100, null, Ct)).ShouldBeEmpty();
        (await Sessions.DeleteAsync(Tenant, session.Id, Ct)).ShouldBeFalse();
        await Should.ThrowAsync<NotFoundException>(() => Events.AppendAsync(Tenant, session.Id, [Record("d")], T0, Ct));
        (await Events.ListAsync(Tenant, keep.Id, 0, 100, Ct)).Single().Content.ShouldBe("kept");
        (await Sessions.GetAsync(Tenant, child.Id, Ct)).ShouldNotBeNull("deleting a parent leaves its continuations");
    }

    // ---- Continuation and fork ----

    [Fact]
    public async Task A_continuation_is_linked_to_its_parent_and_made_from_the_parents_last_messages_and_top_entities()
    {
        var user = await NewUserAsync();
        var parent = await CreateAsync(NewSession(user.Id, "telegram", "chat-1", T0) with { Title = "Slow training" });
        await Sessions.UpdateAsync(Tenant, parent.Id, s => s with { Summary = "GPU at 82C; throttling.", Topics = ["thermal"] }, Ct);
        EntityMention gpu = new("gpu-3", "host"), temp = new("82C", "quantity");
        await Events.AppendAsync(Tenant, parent.Id,
        [
            Record("My training job on gpu-3 is slow.") with { Entities = ["gpu-3"], Mentions = [gpu] },
            Record("nvidia-smi", type: EventType.ToolCall, role: EventRole.Assistant),
            Record("The GPU temp on gpu-3 is 82C.") with { Entities = ["gpu-3", "82C"], Mentions = [gpu, temp] },
            Record("82C under load means thermal throttling.", role: EventRole.Assistant) with { Entities = ["82C"], Mentions = [temp] },
            Record("Check the fan on gpu-3.", role: EventRole.Assistant) with { Entities = ["gpu-3"], Mentions = [gpu] },
        ], T0.AddMinutes(1), Ct);
        Session? givenParent = null;
        IReadOnlyList<SessionEvent>? given = null;

        var child = await Sessions.DeriveAsync(Tenant, parent.Id, SessionLinkType.Continuation, null, 3, (p, last) =>
        {
            givenParent = p;
            given = last;
            return Child(p, "cli") with
            {
                Title = p.Title,
                Summary = p.Summary,
                Entities = p.Entities,
                Topics = p.Topics,
                CarriedOver = new CarriedOver
                {
                    FromSessionId = p.Id,
                    FromInterface = p.Interface,
                    Summary = p.Summary,
                    Entities = p.Entities,
                    LastMessages = [.. last.Select(e => new CarriedMessage(e.Role, e.Content, e.Interface))],
                },
            };
        }, Ct);

        given!.Select(e => e.Content).ShouldBe(["The GPU temp on gpu-3 is 82C.", "82C under load means thermal throttling.", "Check the fan on gpu-3."]);
        givenParent!.Entities.ShouldBe(["gpu-3", "82C"], "the parent's entities, most mentioned first");
        givenParent.LastSeq.ShouldBe(5);
        var stored = await Sessions.GetAsync(Tenant, child.Id, Ct);
        stored.ShouldNotBeNull();
        stored.ParentId.ShouldBe(parent.Id);
        stored.UserId.ShouldBe(user.Id);
        stored.Interface.ShouldBe("cli");
        stored.Title.ShouldBe("Slow training");
        stored.Summary.ShouldBe("GPU at 82C; throttling.");
        stored.Entities.ShouldBe(["gpu-3", "82C"]);
        stored.Topics.ShouldBe(["thermal"]);
        stored.LastSeq.ShouldBe(0);
        stored.CarriedOver!.FromInterface.ShouldBe("telegram");
        stored.CarriedOver.Entities.ShouldBe(["gpu-3", "82C"]);
        stored.CarriedOver.LastMessages.Select(m => m.Content).ShouldBe(given!.Select(e => e.Content));
        stored.CarriedOver.LastMessages.ShouldAllBe(m => m.Interface == "telegram");
        (await Events.ListAsync(Tenant, child.Id, 0, 10, Ct)).ShouldBeEmpty();

        var link = (await Sessions.GetLinksAsync(Tenant, parent.Id, 100, null, Ct)).Single();
        link.FromSessionId.ShouldBe(parent.Id);
        link.ToSessionId.ShouldBe(child.Id);
        link.Type.ShouldBe(SessionLinkType.Continuation);
        link.AtSeq.ShouldBeNull();
        (await Sessions.GetLinksAsync(Tenant, child.Id, 100, null, Ct)).Single().ShouldBe(link);
        (await Sessions.GetAsync(Tenant, parent.Id, Ct))!.LastSeq.ShouldBe(5);
    }

    [Fact]
    public async Task A_fork_copies_the_events_up_to_its_seq_and_recounts_its_counters()
    {
        var parent = await CreateAsync(NewSession(null, "agent", "host-1", T0));
        var appended = await Events.AppendAsync(Tenant, parent.Id,
        [
            Record("deploy v2?", tokens: 3),
            Record("checking", role: EventRole.Assistant, tokens: 5),
            Record("kubectl get pods", type: EventType.ToolCall, role: EventRole.Assistant, tokens: 7),
            Record("3 pods ready", type: EventType.ToolResult, role: EventRole.Tool, tokens: 11),
            Record("timeout", type: EventType.Error, role: EventRole.System, tokens: 13),
            Record("and now?", tokens: 2),
        ], T0.AddMinutes(1), Ct);

        var fork = await Sessions.DeriveAsync(Tenant, parent.Id, SessionLinkType.Fork, 3, 0, (p, _) => Child(p, p.Interface), Ct);

        fork.LastSeq.ShouldBe(3);
        fork.Counters.ShouldBe(new SessionCounters { Messages = 2, InputTokens = 3, OutputTokens = 12, ToolCalls = 1, Errors = 0 });
        (await Sessions.GetAsync(Tenant, fork.Id, Ct))!.Counters.ShouldBe(fork.Counters);
        var copied = await Events.ListAsync(Tenant, fork.Id, 0, 100, Ct);
        copied.Select(e => e.Seq).ShouldBe([1L, 2, 3]);
        copied.Select(e => (e.Type, e.Role, e.Content, e.Tokens, e.CreatedAt))
            .ShouldBe(appended.Take(3).Select(r => (r.Event.Type, r.Event.Role, r.Event.Content, r.Event.Tokens, r.Event.CreatedAt)));
        copied.ShouldAllBe(e => e.SessionId == fork.Id);
        copied.Select(e => e.Id).Intersect(appended.Select(r => r.Event.Id)).ShouldBeEmpty("the fork's events are copies with ids of their own");
        var link = (await Sessions.GetLinksAsync(Tenant, fork.Id, 100, null, Ct)).Single();
        (link.FromSessionId, link.ToSessionId, link.Type, link.AtSeq).ShouldBe((parent.Id, fork.Id, SessionLinkType.Fork, (long?)3));

        // The fork diverges from the parent without touching it.
        (await Events.AppendAsync(Tenant, fork.Id, [Record("other way")], T0.AddMinutes(2), Ct))[0].Event.Seq.ShouldBe(4);
        (await Events.ListAsync(Tenant, parent.Id, 0, 100, Ct)).Count.ShouldBe(6);
        (await Sessions.GetAsync(Tenant, parent.Id, Ct))!.LastSeq.ShouldBe(6);
    }

    [Fact]
    public async Task A_fork_without_a_seq_takes_every_event_and_a_fork_at_zero_takes_none()
    {
        var parent = await CreateAsync(NewSession(null, "web", "w", T0));
        await Events.AppendAsync(Tenant, parent.Id, [Record("a"), Record("b")], T0, Ct);

        var whole = await Sessions.DeriveAsync(Tenant, parent.Id, SessionLinkType.Fork, null, 0, (p, _) => Child(p, p.Interface), Ct);
        var empty = await Sessions.DeriveAsync(Tenant, parent.Id, SessionLinkType.Fork, 0, 0, (p, _) => Child(p, p.Interface), Ct);

        (await Events.ListAsync(Tenant, whole.Id, 0, 10, Ct)).Select(e => e.Content).ShouldBe(["a", "b"]);
        whole.LastSeq.ShouldBe(2);
        (await Events.ListAsync(Tenant, empty.Id, 0, 10, Ct)).ShouldBeEmpty();
        empty.LastSeq.ShouldBe(0);
        (await Events.AppendAsync(Tenant, empty.Id, [Record("fresh")], T0, Ct))[0].Event.Seq.ShouldBe(1);
    }

    [Fact]
    public async Task A_fork_past_the_last_event_is_a_validation_error_and_creates_nothing()
    {
        var user = await NewUserAsync();
        var parent = await CreateAsync(NewSession(user.Id, "web", "w", T0));
        await Events.AppendAsync(Tenant, parent.Id, [Record("a"), Record("b")], T0, Ct);

        var error = await Should.ThrowAsync<ValidationException>(() =>
            Sessions.DeriveAsync(Tenant, parent.Id, SessionLinkType.Fork, 3, 0, (p, _) => Child(p, p.Interface), Ct));

        error.Errors.Keys.ShouldContain("atSeq");
        (await Sessions.ListAsync(Tenant, new SessionQuery { UserId = user.Id, Limit = 10 }, Ct)).Items.Select(s => s.Id).ShouldBe([parent.Id]);
        (await Sessions.GetLinksAsync(Tenant, parent.Id, 100, null, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Deriving_from_an_unknown_session_is_not_found()
    {
        await Should.ThrowAsync<NotFoundException>(() =>
            Sessions.DeriveAsync(Tenant, "ses_unknown", SessionLinkType.Continuation, null, 6, (p, _) => Child(p, "cli"), Ct));
    }

    // ---- Expiry ----

    [Fact]
    public async Task ExpireDue_marks_only_active_and_inactive_sessions_past_their_expiry()
    {
        var due = await CreateAsync(NewSession(null, "web", "a", T0, expiresInSeconds: 60));
        var idleDue = await CreateAsync(NewSession(null, "web", "b", T0, expiresInSeconds: 60));
        await Sessions.UpdateAsync(Tenant, idleDue.Id, s => s with { Status = SessionStatus.Inactive }, Ct);
        var closedDue = await CreateAsync(NewSession(null, "web", "c", T0, expiresInSeconds: 60));
        await Sessions.UpdateAsync(Tenant, closedDue.Id, s => s with { Status = SessionStatus.Closed }, Ct);
        var notDue = await CreateAsync(NewSession(null, "web", "d", T0, expiresInSeconds: 3600));

        var expired = await Sessions.ExpireDueAsync(T0.AddMinutes(10), Ct);

        expired.ShouldBe(2);
        (await Sessions.GetAsync(Tenant, due.Id, Ct))!.Status.ShouldBe(SessionStatus.Expired);
        (await Sessions.GetAsync(Tenant, idleDue.Id, Ct))!.Status.ShouldBe(SessionStatus.Expired);
        (await Sessions.GetAsync(Tenant, closedDue.Id, Ct))!.Status.ShouldBe(SessionStatus.Closed);
        (await Sessions.GetAsync(Tenant, notDue.Id, Ct))!.Status.ShouldBe(SessionStatus.Active);
        (await Sessions.ExpireDueAsync(T0.AddMinutes(10), Ct)).ShouldBe(0);
        await Should.ThrowAsync<ConflictException>(() => Events.AppendAsync(Tenant, due.Id, [Record("too late")], T0.AddMinutes(11), Ct));
    }

    // ---- Users, identities, link codes ----

    [Fact]
    public async Task Resolve_creates_a_user_on_first_sight_and_finds_it_after()
    {
        var firstId = Ids.NewUserId(T0);

        var (first, created) = await Users.ResolveAsync(Tenant, "telegram", "tg-1", "Ann", firstId, T0, Ct);
        var (again, createdAgain) = await Users.ResolveAsync(Tenant, "telegram", "tg-1", "Ann B.", Ids.NewUserId(T0), T0.AddMinutes(1), Ct);

        created.ShouldBeTrue();
        first.Id.ShouldBe(firstId);
        first.DisplayName.ShouldBe("Ann");
        first.CreatedAt.ShouldBe(T0);
        first.Identities.Select(i => (i.Interface, i.ExternalUserId, i.UserId)).ShouldBe([("telegram", "tg-1", firstId)]);
        createdAgain.ShouldBeFalse();
        again.Id.ShouldBe(firstId);
        (await Users.GetAsync(Tenant, firstId, Ct))!.Identities.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Concurrent_resolves_of_one_identity_create_exactly_one_user()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            Users.ResolveAsync(Tenant, "discord", "d-42", null, Ids.NewUserId(T0), T0, Ct))));

        results.Select(r => r.User.Id).Distinct().Count().ShouldBe(1);
        results.Count(r => r.Created).ShouldBe(1);
        (await Sessions.GetStatsAsync(Tenant, Ct)).Users.ShouldBe(1);
    }

    [Fact]
    public async Task Get_of_an_unknown_user_is_null()
    {
        (await Users.GetAsync(Tenant, "usr_unknown", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_link_code_links_an_identity_once()
    {
        var user = await NewUserAsync("telegram", "tg-1");
        await Users.SaveLinkCodeAsync(Tenant, "HASH-1", user.Id, T0.AddMinutes(10), T0, Ct);

        var linked = await Users.RedeemLinkCodeAsync(Tenant, "HASH-1", "web", "cookie-1", "Ann on the web", T0.AddMinutes(1), Ct);
        var replay = await Users.RedeemLinkCodeAsync(Tenant, "HASH-1", "web", "cookie-2", null, T0.AddMinutes(2), Ct);

        linked.ShouldNotBeNull();
        linked.Id.ShouldBe(user.Id);
        linked.Identities.Select(i => (i.Interface, i.ExternalUserId)).OrderBy(i => i.Interface)
            .ShouldBe([("telegram", "tg-1"), ("web", "cookie-1")]);
        (await Users.ResolveAsync(Tenant, "web", "cookie-1", null, Ids.NewUserId(T0), T0.AddMinutes(3), Ct)).User.Id.ShouldBe(user.Id);
        replay.ShouldBeNull();
        var (stranger, created) = await Users.ResolveAsync(Tenant, "web", "cookie-2", null, Ids.NewUserId(T0), T0.AddMinutes(3), Ct);
        created.ShouldBeTrue("a spent code links nothing");
        stranger.Id.ShouldNotBe(user.Id);
    }

    [Fact]
    public async Task An_expired_or_unknown_link_code_links_nothing()
    {
        var user = await NewUserAsync("telegram", "tg-1");
        await Users.SaveLinkCodeAsync(Tenant, "HASH-OLD", user.Id, T0.AddMinutes(10), T0, Ct);

        (await Users.RedeemLinkCodeAsync(Tenant, "HASH-OLD", "web", "cookie-1", null, T0.AddMinutes(11), Ct)).ShouldBeNull();
        (await Users.RedeemLinkCodeAsync(Tenant, "HASH-NEVER", "web", "cookie-1", null, T0, Ct)).ShouldBeNull();
        (await Users.GetAsync(Tenant, user.Id, Ct))!.Identities.Select(i => i.Interface).ShouldBe(["telegram"]);
    }

    [Fact]
    public async Task A_link_code_issued_in_one_tenant_does_not_work_in_another()
    {
        var user = await NewUserAsync("telegram", "tg-1");
        await Users.SaveLinkCodeAsync(Tenant, "HASH-T", user.Id, T0.AddMinutes(10), T0, Ct);

        (await Users.RedeemLinkCodeAsync(Tenant + "_other", "HASH-T", "web", "cookie-1", null, T0.AddMinutes(1), Ct)).ShouldBeNull();
        (await Users.RedeemLinkCodeAsync(Tenant, "HASH-T", "web", "cookie-1", null, T0.AddMinutes(1), Ct)).ShouldNotBeNull("the failed attempt did not spend it");
    }

    [Fact]
    public async Task Linking_an_identity_that_was_a_user_of_its_own_brings_that_users_sessions_along()
    {
        var telegram = await NewUserAsync("telegram", "tg-1");
        var web = await NewUserAsync("web", "cookie-1");
        var webSession = await CreateAsync(NewSession(web.Id, "web", "cookie-1", T0));
        await Users.SaveLinkCodeAsync(Tenant, "HASH-M", telegram.Id, T0.AddMinutes(10), T0, Ct);

        var linked = await Users.RedeemLinkCodeAsync(Tenant, "HASH-M", "web", "cookie-1", null, T0.AddMinutes(1), Ct);

        linked!.Id.ShouldBe(telegram.Id);
        (await Sessions.GetAsync(Tenant, webSession.Id, Ct))!.UserId.ShouldBe(telegram.Id);
        (await Users.GetAsync(Tenant, web.Id, Ct))!.Id.ShouldBe(telegram.Id);
        (await Sessions.GetStatsAsync(Tenant, Ct)).Users.ShouldBe(1);
    }

    [Fact]
    public async Task Merge_moves_sessions_and_identities_and_the_old_id_resolves_to_the_survivor()
    {
        var survivor = await NewUserAsync("telegram", "tg-1");
        var merged = await NewUserAsync("web", "cookie-1");
        var kept = await CreateAsync(NewSession(survivor.Id, "telegram", "chat", T0));
        var moved1 = await CreateAsync(NewSession(merged.Id, "web", "cookie-1", T0.AddMinutes(1)));
        var moved2 = await CreateAsync(NewSession(merged.Id, "web", "cookie-1", T0.AddMinutes(2)));
        await Events.AppendAsync(Tenant, moved1.Id, [Record("hello from the web")], T0.AddMinutes(1), Ct);

        var result = await Users.MergeAsync(Tenant, survivor.Id, merged.Id, T0.AddMinutes(5), Ct);

        result.Id.ShouldBe(survivor.Id);
        result.Identities.Select(i => i.Interface).Order().ShouldBe(["telegram", "web"]);
        (await Users.GetAsync(Tenant, merged.Id, Ct))!.Id.ShouldBe(survivor.Id);
        var (resolved, created) = await Users.ResolveAsync(Tenant, "web", "cookie-1", null, Ids.NewUserId(T0), T0.AddMinutes(6), Ct);
        resolved.Id.ShouldBe(survivor.Id);
        created.ShouldBeFalse();
        (await Sessions.ListAsync(Tenant, new SessionQuery { UserId = survivor.Id, Limit = 10 }, Ct)).Items.Select(s => s.Id)
            .ShouldBe([moved2.Id, moved1.Id, kept.Id]);
        (await Sessions.ListAsync(Tenant, new SessionQuery { UserId = merged.Id, Limit = 10 }, Ct)).Items.ShouldBeEmpty();
        (await Sessions.GetStatsAsync(Tenant, Ct)).Users.ShouldBe(1);
    }

    [Fact]
    public async Task A_merge_into_a_merged_user_reaches_the_survivor_and_a_merge_with_itself_is_refused()
    {
        var a = await NewUserAsync("telegram", "a");
        var b = await NewUserAsync("web", "b");
        var c = await NewUserAsync("cli", "c");
        await Users.MergeAsync(Tenant, a.Id, b.Id, T0, Ct);

        var result = await Users.MergeAsync(Tenant, b.Id, c.Id, T0.AddMinutes(1), Ct);

        result.Id.ShouldBe(a.Id);
        (await Users.GetAsync(Tenant, c.Id, Ct))!.Id.ShouldBe(a.Id);
        result.Identities.Count.ShouldBe(3);
        await Should.ThrowAsync<ValidationException>(() => Users.MergeAsync(Tenant, a.Id, c.Id, T0.AddMinutes(2), Ct));
        await Should.ThrowAsync<NotFoundException>(() => Users.MergeAsync(Tenant, a.Id, "usr_unknown", T0.AddMinutes(2), Ct));
    }

    [Fact]
    public async Task Unlink_removes_the_identity_so_its_next_sight_is_a_new_user()
    {
        var user = await NewUserAsync("telegram", "tg-1");

        (await Users.UnlinkAsync(Tenant, "telegram", "tg-1", Ct)).ShouldBeTrue();
        (await Users.UnlinkAsync(Tenant, "telegram", "tg-1", Ct)).ShouldBeFalse();

        (await Users.GetAsync(Tenant, user.Id, Ct))!.Identities.ShouldBeEmpty();
        var (next, created) = await Users.ResolveAsync(Tenant, "telegram", "tg-1", null, Ids.NewUserId(T0), T0.AddMinutes(1), Ct);
        created.ShouldBeTrue();
        next.Id.ShouldNotBe(user.Id);
    }

    // ---- Tenants and statistics ----

    [Fact]
    public async Task Another_tenant_sees_none_of_the_data()
    {
        var other = Tenant + "_other";
        var user = await NewUserAsync();
        var session = await CreateAsync(NewSession(user.Id, "web", "w", T0));
        await Events.AppendAsync(Tenant, session.Id, [Record("private")], T0, Ct);

        (await Sessions.GetAsync(other, session.Id, Ct)).ShouldBeNull();
        (await Sessions.ListAsync(other, new SessionQuery { Limit = 10 }, Ct)).Items.ShouldBeEmpty();
        (await Events.ListAsync(other, session.Id, 0, 10, Ct)).ShouldBeEmpty();
        (await Users.GetAsync(other, user.Id, Ct)).ShouldBeNull();
        await Should.ThrowAsync<NotFoundException>(() => Events.AppendAsync(other, session.Id, [Record("intruder")], T0, Ct));
        (await Sessions.GetStatsAsync(other, Ct)).TotalSessions.ShouldBe(0);
        var resumed = await Sessions.OpenAsync(other, NewSession(user.Id, "web", "w", T0), new ResumeKey(user.Id, null, "web", "w"), T0, Ct);
        resumed.Created.ShouldBeTrue();
    }

    [Fact]
    public async Task Stats_total_sessions_users_events_tokens_and_counts_by_interface_and_status()
    {
        var ann = await NewUserAsync("telegram", "ann");
        await NewUserAsync("web", "bob");
        var s1 = await CreateAsync(NewSession(ann.Id, "telegram", "chat", T0));
        var s2 = await CreateAsync(NewSession(ann.Id, "web", "cookie", T0));
        var s3 = await CreateAsync(NewSession(null, "web", "anon", T0));
        await Events.AppendAsync(Tenant, s1.Id,
        [
            Record("question", tokens: 10),
            Record("answer", role: EventRole.Assistant, tokens: 20),
            Record("ls", type: EventType.ToolCall, role: EventRole.Assistant, tokens: 5),
            Record("boom", type: EventType.Error, role: EventRole.System, tokens: 1),
        ], T0.AddMinutes(10), Ct);
        await Events.AppendAsync(Tenant, s2.Id, [Record("hi", tokens: 4)], T0.AddMinutes(20), Ct);
        await Sessions.UpdateAsync(Tenant, s3.Id, s => s with { Status = SessionStatus.Closed }, Ct);

        var stats = await Sessions.GetStatsAsync(Tenant, Ct);

        stats.TotalSessions.ShouldBe(3);
        stats.ActiveSessions.ShouldBe(2);
        stats.Users.ShouldBe(2);
        stats.Events.ShouldBe(5);
        stats.Messages.ShouldBe(3);
        stats.InputTokens.ShouldBe(15);
        stats.OutputTokens.ShouldBe(25);
        stats.ToolCalls.ShouldBe(1);
        stats.Errors.ShouldBe(1);
        stats.AverageMessagesPerSession.ShouldBe(1.0, 1e-9);
        stats.AverageSessionSeconds.ShouldBe((600 + 1200 + 0) / 3.0, 1e-6);
        stats.SessionsByInterface.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ShouldBe([("telegram", 1L), ("web", 2L)]);
        stats.SessionsByStatus.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ShouldBe([("active", 2L), ("closed", 1L)]);
    }

    [Fact]
    public async Task Stats_of_an_empty_tenant_are_zero()
    {
        var stats = await Sessions.GetStatsAsync(Tenant, Ct);

        stats.TotalSessions.ShouldBe(0);
        stats.Users.ShouldBe(0);
        stats.Events.ShouldBe(0);
        stats.AverageMessagesPerSession.ShouldBe(0);
        stats.SessionsByInterface.ShouldBeEmpty();
    }

    // ---- Migrations ----

    [Fact]
    public async Task Migrating_a_migrated_store_applies_nothing()
    {
        var first = Stores.FirstMigration;

        var second = await Migrator.MigrateAsync(Ct);
        var third = await Migrator.MigrateAsync(Ct);

        first.FromVersion.ShouldBe(0);
        first.Applied.ShouldNotBeEmpty();
        first.ToVersion.ShouldBeGreaterThan(0);
        second.Applied.ShouldBeEmpty();
        second.FromVersion.ShouldBe(first.ToVersion);
        second.ToVersion.ShouldBe(first.ToVersion);
        third.Applied.ShouldBeEmpty();
        third.ToVersion.ShouldBe(first.ToVersion);
        Migrator.Describe().ShouldNotBeNullOrWhiteSpace();
    }

    // ---- Helpers ----

    protected static Session NewSession(string? userId, string iface, string? interfaceId, DateTimeOffset at, long expiresInSeconds = Week) => new()
    {
        Id = Ids.NewSessionId(at),
        UserId = userId,
        Interface = iface,
        InterfaceId = interfaceId,
        NodeName = "node-a",
        Status = SessionStatus.Active,
        CreatedAt = at,
        LastActiveAt = at,
        ExpiresAt = at.AddSeconds(expiresInSeconds),
        ExpiresInSeconds = expiresInSeconds,
        TokenLimit = 4000,
    };

    protected static EventRecord Record(string content, string type = EventType.Message, string role = EventRole.User, string? key = null,
        DateTimeOffset? at = null, int? tokens = null, string? metadata = null) => new()
        {
            Id = Ids.NewEventId(at ?? T0),
            Type = type,
            Role = role,
            Content = content,
            Tokens = tokens ?? (content.Length + 3) / 4,
            CreatedAt = at ?? T0,
            MetadataJson = metadata,
            IdempotencyKey = key,
        };

    protected static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static EventRecord ConcurrentRecord(int writer, int index) => (writer % 4) switch
    {
        0 => Record($"w{writer}-{index} user", tokens: writer + 1),
        1 => Record($"w{writer}-{index} assistant", role: EventRole.Assistant, tokens: writer + 2),
        2 => Record($"w{writer}-{index} tool", type: EventType.ToolCall, role: EventRole.Assistant, tokens: 3),
        _ => Record($"w{writer}-{index} error", type: EventType.Error, role: EventRole.System, tokens: 1),
    };

    private static Session Child(Session parent, string iface) => new()
    {
        Id = Ids.NewSessionId(T0.AddHours(1)),
        UserId = parent.UserId,
        AgentId = parent.AgentId,
        Interface = iface,
        NodeName = parent.NodeName,
        Status = SessionStatus.Active,
        ParentId = parent.Id,
        CreatedAt = T0.AddHours(1),
        LastActiveAt = T0.AddHours(1),
        ExpiresAt = T0.AddHours(1).AddSeconds(parent.ExpiresInSeconds),
        ExpiresInSeconds = parent.ExpiresInSeconds,
        TokenLimit = parent.TokenLimit,
    };

    protected async Task<Session> CreateAsync(Session candidate)
    {
        var result = await Sessions.OpenAsync(Tenant, candidate, null, candidate.CreatedAt, Ct);
        result.Created.ShouldBeTrue();
        return result.Session;
    }

    protected async Task<User> NewUserAsync(string iface = "telegram", string? externalId = null)
    {
        var (user, created) = await Users.ResolveAsync(Tenant, iface, externalId ?? Guid.NewGuid().ToString("N"), null, Ids.NewUserId(T0), T0, Ct);
        created.ShouldBeTrue();
        return user;
    }

    private async Task<List<Page<Session>>> ListAllAsync(SessionQuery query)
    {
        var pages = new List<Page<Session>>();
        string? cursor = null;
        do
        {
            var page = await Sessions.ListAsync(Tenant, query with { Cursor = cursor }, Ct);
            pages.Add(page);
            cursor = page.Next;
            pages.Count.ShouldBeLessThan(100, "paging must end");
        }
        while (cursor is not null);

        return pages;
    }
}
