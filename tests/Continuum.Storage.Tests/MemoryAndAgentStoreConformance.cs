using Continuum.Agents;
using Continuum.Memory;
using Continuum.Search;

namespace Continuum.Storage.Tests;

/// <summary>What every memory, agent and embedding store must do, on the paths the services rely on.</summary>
public abstract partial class StoreConformanceTests
{
    private static MemoryItem NewMemory(string userId, string content, string? agentId = null) => new()
    {
        Id = Ids.New("mem_", T0),
        UserId = userId,
        AgentId = agentId,
        Kind = MemoryKind.Preference,
        Content = content,
        ValidFrom = T0,
        CreatedAt = T0,
        UpdatedAt = T0,
    };

    [Fact]
    public async Task A_memory_is_stored_as_decided_found_by_terms_with_whose_it_is_and_gone_once_deleted()
    {
        var user = await NewUserAsync();
        var memory = NewMemory(user.Id, "Prefers dark roast coffee", agentId: "barista");

        var write = await Memories.AddAsync(Tenant, memory, (_, _) => new MemoryDecision(null, null, [], "coffee"), Ct);

        write.Action.ShouldBe("added");
        (await Memories.GetAsync(Tenant, memory.Id, Ct))!.Content.ShouldBe("Prefers dark roast coffee");
        var found = await Search.MatchAsync(Tenant, "memory", new SearchScope(user.Id, null, null, null, null, null), ["coffee"], 10, Ct);
        found.Select(c => (c.Id, c.UserId, c.AgentId)).ShouldBe([(memory.Id, user.Id, "barista")]);
        (await Memories.DeleteAsync(Tenant, memory.Id, Ct)).ShouldBeTrue();
        (await Memories.GetAsync(Tenant, memory.Id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_registered_agent_is_listed_and_a_message_to_it_waits_in_its_inbox_until_acknowledged()
    {
        var sender = await CreateAsync(NewSession(null, "agent", "host-1", T0) with { AgentId = "planner" });
        var receiver = await CreateAsync(NewSession(null, "agent", "host-2", T0) with { AgentId = "coder" });
        foreach (var (session, name) in new[] { (sender, "planner"), (receiver, "coder") })
        {
            await Agents.RegisterAsync(Tenant, new Agent
            {
                SessionId = session.Id,
                Namespace = "default",
                AgentName = name,
                AgentType = "llm",
                Capabilities = ["code"],
                Status = "active",
                ReportedStatus = "idle",
                RegisteredAt = T0,
                LastSeenAt = T0,
            }, Ct);
        }

        (await Agents.GetAgentAsync(Tenant, receiver.Id, Ct))!.AgentName.ShouldBe("coder");
        (await Agents.ListAgentsAsync(Tenant, "default", Ct)).Select(a => a.AgentName).Order().ShouldBe(["coder", "planner"]);

        var sent = await Agents.SendAsync(Tenant, new HubMessage
        {
            Id = 0,
            Type = "request",
            From = sender.Id,
            To = receiver.Id,
            Namespace = "default",
            Subject = "review",
            Body = "please review",
            ThreadId = 0,
            CreatedAt = T0,
        }, [receiver.Id], Ct);

        var inbox = await Agents.InboxAsync(Tenant, receiver.Id, null, true, 0, 10, Ct);
        inbox.Select(m => (m.Id, m.Subject)).ShouldBe([(sent.Id, "review")]);
        (await Agents.AcknowledgeAsync(Tenant, sent.Id, receiver.Id, T0.AddMinutes(1), Ct)).ShouldBe(1);
        (await Agents.InboxAsync(Tenant, receiver.Id, null, true, 0, 10, Ct)).ShouldBeEmpty();
        (await Agents.InboxAsync(Tenant, sender.Id, null, true, 0, 10, Ct)).ShouldBeEmpty("the sender is not a recipient");
    }

    [Fact]
    public async Task Shared_entries_take_versions_in_order_and_a_stale_expected_version_writes_nothing()
    {
        var v1 = await Agents.WriteSharedAsync(Tenant, "default", "plan", "state", Json("""{"step":1}"""), ["a"], "planner", T0, null, false, 0, Ct);
        var v2 = await Agents.WriteSharedAsync(Tenant, "default", "plan", "state", Json("""{"step":2}"""), [], "planner", T0.AddSeconds(1), null, false, 1, Ct);
        var stale = await Agents.WriteSharedAsync(Tenant, "default", "plan", "state", Json("""{"step":9}"""), [], "coder", T0.AddSeconds(2), null, false, 1, Ct);

        (v1!.Value.Entry.Version, v2!.Value.Entry.Version).ShouldBe((1L, 2L));
        (v1.Value.Created, v2.Value.Created).ShouldBe((true, false), "the first write creates the key, the second updates it");
        stale.ShouldBeNull();
        (await Agents.GetSharedVersionAsync(Tenant, "default", "plan", T0.AddSeconds(3), Ct)).ShouldBe((2L, true));
        (await Agents.GetSharedVersionsAsync(Tenant, "default", "plan", 0, 10, Ct)).Select(e => e.Value!.Value.GetProperty("step").GetInt32()).Order().ShouldBe([1, 2]);
    }

    [Theory]
    [InlineData("task_*", "task_1,task_2,task_a")]
    [InlineData("task_[0-9]", "task_1,task_2")]
    [InlineData("task_[^0-9]", "task_a")]
    [InlineData("task_[z-a]", "")]
    [InlineData("task_[^z-a]", "task_1,task_2,task_a")]
    [InlineData("[[:foo:]]*", "")]
    [InlineData("a.b?(c)+\\", "a.b!(c)+\\")]
    [InlineData("?", "")]
    public async Task Shared_keys_match_a_glob_the_same_on_every_store_and_no_glob_is_an_error(string glob, string expected)
    {
        foreach (var key in new[] { "task_1", "task_2", "task_a", "a.b!(c)+\\", "other" })
        {
            (await Agents.WriteSharedAsync(Tenant, "globs", key, "note", null, [], "planner", T0, null, false, null, Ct)).ShouldNotBeNull();
        }

        var found = await Agents.SearchSharedAsync(Tenant, "globs", glob, [], null, null, T0, 100, Ct);
        string.Join(",", found.Select(e => e.Key)).ShouldBe(expected);
    }

    [Fact]
    public async Task Embeddings_wait_for_new_items_and_give_them_back_with_whose_they_are_once_saved()
    {
        var user = await NewUserAsync();
        var session = await CreateAsync(NewSession(user.Id, "agent", "host-1", T0) with { AgentId = "planner" });
        await Events.AppendAsync(Tenant, session.Id, [Record("vectors please")], T0, Ct);

        var pending = (await Embeddings.PendingAsync("test-model", 100, Ct)).Where(p => p.TenantId == Tenant).ToList();
        pending.Select(p => (p.Kind, p.UserId, p.Text)).ShouldBe([("event", user.Id, "vectors please")]);
        await Embeddings.SaveAsync("test-model", [(pending[0], [1f, 0f, 0f])], Ct);

        var vectors = await Embeddings.VectorsAsync(Tenant, new SearchScope(user.Id, null, null, null, null, null), "test-model", Ct);
        vectors.Select(v => (v.Kind, v.Row, v.Vector.Length)).ShouldBe([("event", pending[0].Row, 3)]);
        var items = await Embeddings.ItemsAsync(Tenant, [("event", pending[0].Row)], Ct);
        items.Select(i => (i.Content, i.UserId, i.AgentId)).ShouldBe([("vectors please", user.Id, "planner")]);
    }

    [Fact]
    public async Task An_event_after_another_comes_with_the_turn_before_it_and_a_users_vectors_are_read_past_a_row()
    {
        var user = await NewUserAsync();
        var session = await CreateAsync(NewSession(user.Id, "web", "host-2", T0));
        await Events.AppendAsync(Tenant, session.Id, [Record("where is the spare key?") with { Name = "ana" }, Record("under the blue pot")], T0, Ct);

        var pending = (await Embeddings.PendingAsync("pair-model", 100, Ct)).Where(p => p.TenantId == Tenant && p.UserId == user.Id).ToList();
        pending.Select(p => (p.Text, p.Previous)).ShouldBe([("ana: where is the spare key?", null), ("under the blue pot", "ana: where is the spare key?")]);

        // The pair's vector is a second row of the event (kind window); both read back by kind and past a row.
        await Embeddings.SaveAsync("pair-model", [(pending[0], [1f, 0f]), (pending[1], [0f, 1f]), (pending[1] with { Kind = "window", Previous = null }, [1f, 1f])], Ct);
        var all = await Embeddings.UserVectorsAsync(Tenant, user.Id, "pair-model", ["event", "window"], 0, Ct);
        all.Select(v => (v.Kind, v.Row)).OrderBy(v => v.Row).ThenBy(v => v.Kind).ShouldBe([("event", pending[0].Row), ("event", pending[1].Row), ("window", pending[1].Row)]);
        var newer = await Embeddings.UserVectorsAsync(Tenant, user.Id, "pair-model", ["event", "window"], pending[0].Row, Ct);
        newer.Select(v => (v.Kind, v.Row, v.Vector[1])).OrderBy(v => v.Kind).ShouldBe([("event", pending[1].Row, 1f), ("window", pending[1].Row, 1f)]);
        (await Embeddings.UserVectorsAsync(Tenant, user.Id, "pair-model", ["memory"], 0, Ct)).ShouldBeEmpty();
        (await Embeddings.VectorsAsync(Tenant, new SearchScope(null, session.Id, null, null, null, null), "pair-model", Ct)).Count.ShouldBe(3);
    }
}
