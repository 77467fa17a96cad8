using Continuum.Memory;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// Long-term memories in PostgreSQL. Adding one takes the user's advisory lock, reads the candidates it may merge
/// with or supersede and applies the decision in the same transaction, so two near-duplicates written through two
/// nodes at once still end as one.
/// </summary>
public sealed class PostgresMemoryStore(PostgresDatabase database) : IMemoryStore
{
    private const string Columns = "id, user_id, agent_id, session_id, kind, content, subject, sources::text, valid_from, valid_to, superseded_by, mentions, created_at, updated_at";
    private const int DuplicateCandidates = 20;
    private const int FactCandidates = 50;

    /// <inheritdoc />
    public Task<MemoryWrite> AddAsync(string tenantId, MemoryItem memory, Func<MemoryItem, IReadOnlyList<MemoryItem>, MemoryDecision> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(decide);
        return database.WriteAsync(async (c, t) =>
        {
            using (var guard = c.Command("SELECT pg_advisory_xact_lock(hashtextextended(@key, 4))", t).Bind("key", tenantId + "\n" + memory.UserId))
            {
                await guard.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var candidates = await CandidatesAsync(c, t, tenantId, memory, cancellationToken).ConfigureAwait(false);
            var decision = decide(memory, candidates);
            if (decision.MergeInto is { } targetId && candidates.FirstOrDefault(x => x.Id == targetId) is { } target)
            {
                var merged = target with
                {
                    Content = decision.MergedContent ?? target.Content,
                    Sources = [.. target.Sources.Concat(memory.Sources).Distinct()],
                    Mentions = target.Mentions + 1,
                    UpdatedAt = memory.UpdatedAt,
                };
                await SaveAsync(c, t, tenantId, merged, cancellationToken).ConfigureAwait(false);
                return new MemoryWrite(merged, "merged", []);
            }

            var stored = memory with { Subject = decision.Subject ?? memory.Subject };
            await InsertAsync(c, t, tenantId, stored, cancellationToken).ConfigureAwait(false);
            var superseded = new List<MemoryItem>();
            foreach (var id in decision.Supersede)
            {
                if (candidates.FirstOrDefault(x => x.Id == id) is { ValidTo: null } old)
                {
                    var closed = old with { ValidTo = stored.ValidFrom, SupersededBy = stored.Id, UpdatedAt = memory.UpdatedAt };
                    await SaveAsync(c, t, tenantId, closed, cancellationToken).ConfigureAwait(false);
                    superseded.Add(closed);
                }
            }

            return new MemoryWrite(stored, superseded.Count > 0 ? "superseded" : "added", superseded);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<MemoryItem> UpsertConversationAsync(string tenantId, MemoryItem memory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        return database.WriteAsync(async (c, t) =>
        {
            using var find = c.Command($"SELECT {Columns} FROM memories WHERE tenant_id = @tenant AND session_id = @session AND kind = 'conversation' FOR UPDATE", t)
                .Bind("tenant", tenantId).Bind("session", memory.SessionId);
            if ((await find.ReadAllAsync(Read, cancellationToken).ConfigureAwait(false)) is not [var existing])
            {
                await InsertAsync(c, t, tenantId, memory, cancellationToken).ConfigureAwait(false);
                return memory;
            }

            var updated = existing with { Content = memory.Content, Sources = memory.Sources, UpdatedAt = memory.UpdatedAt };
            await SaveAsync(c, t, tenantId, updated, cancellationToken).ConfigureAwait(false);
            return updated;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<MemoryItem?> GetAsync(string tenantId, string memoryId, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            using var command = c.Command($"SELECT {Columns} FROM memories WHERE tenant_id = @tenant AND id = @id").Bind("tenant", tenantId).Bind("id", memoryId);
            return await command.ReadAllAsync(Read, cancellationToken).ConfigureAwait(false) is [var found] ? found : null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<MemoryItem?> UpdateAsync(string tenantId, string memoryId, Func<MemoryItem, MemoryItem> update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        return database.WriteAsync<MemoryItem?>(async (c, t) =>
        {
            using var find = c.Command($"SELECT {Columns} FROM memories WHERE tenant_id = @tenant AND id = @id FOR UPDATE", t).Bind("tenant", tenantId).Bind("id", memoryId);
            if (await find.ReadAllAsync(Read, cancellationToken).ConfigureAwait(false) is not [var existing])
            {
                return null;
            }

            var updated = update(existing);
            await SaveAsync(c, t, tenantId, updated, cancellationToken).ConfigureAwait(false);
            return updated;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string tenantId, string memoryId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, t) =>
        {
            using (var vectors = c.Command("DELETE FROM embeddings WHERE item_kind = 'memory' AND item_rowid = (SELECT row_id FROM memories WHERE tenant_id = @tenant AND id = @id)", t)
                .Bind("tenant", tenantId).Bind("id", memoryId))
            {
                await vectors.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using var delete = c.Command("DELETE FROM memories WHERE tenant_id = @tenant AND id = @id", t).Bind("tenant", tenantId).Bind("id", memoryId);
            return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<MemoryItem>> ListAsync(string tenantId, string userId, string? kind, string? agentId, bool includeHistory, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<MemoryItem>>(async c =>
        {
            using var command = c.Command($"""
                SELECT {Columns} FROM memories
                WHERE tenant_id = @tenant AND user_id = @user AND (@kind::text IS NULL OR kind = @kind)
                  AND (@agent::text IS NULL OR agent_id IS NULL OR agent_id = @agent) AND (@history OR valid_to IS NULL)
                  AND (@c_id::text IS NULL OR updated_at < @c_pos OR (updated_at = @c_pos AND id < @c_id))
                ORDER BY updated_at DESC, id DESC LIMIT @limit
                """).Bind("tenant", tenantId).Bind("user", userId).Bind("kind", kind).Bind("agent", agentId).Bind("history", includeHistory).Bind("limit", limit)
                .Bind("c_pos", after?.Position ?? 0L).Bind("c_id", after?.Id);
            return await command.ReadAllAsync(Read, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(string TenantId, string SessionId)>> SessionsNeedingConversationMemoryAsync(DateTimeOffset idleBefore, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<(string, string)>>(async c =>
        {
            using var command = c.Command("""
                SELECT s.tenant_id, s.id FROM sessions s
                WHERE s.user_id IS NOT NULL AND s.messages > 0 AND (s.status <> 'active' OR s.last_active_at < @idle)
                  AND NOT EXISTS (SELECT 1 FROM memories m WHERE m.tenant_id = s.tenant_id AND m.session_id = s.id AND m.kind = 'conversation' AND m.updated_at >= s.last_active_at)
                ORDER BY s.last_active_at LIMIT @limit
                """).Bind("idle", idleBefore).Bind("limit", limit);
            return await command.ReadAllAsync(r => (r.GetString(0), r.GetString(1)), cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Conversation>> ConversationsAsync(string tenantId, string userId, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Conversation>>(async c =>
        {
            using var command = c.Command("""
                SELECT s.id, coalesce(s.title, (SELECT substr(content, 1, 80) FROM events WHERE session_id = s.id AND type = 'message' AND role = 'user' ORDER BY seq LIMIT 1)),
                       s.interface, s.status, s.created_at, s.last_active_at, s.messages, s.last_seq, last.content, last.role
                FROM sessions s
                LEFT JOIN LATERAL (SELECT content, role FROM events WHERE session_id = s.id AND type = 'message' ORDER BY seq DESC LIMIT 1) last ON true
                WHERE s.tenant_id = @tenant AND s.user_id = @user
                  AND (@c_id::text IS NULL OR s.last_active_at < @c_pos OR (s.last_active_at = @c_pos AND s.id < @c_id))
                ORDER BY s.last_active_at DESC, s.id DESC LIMIT @limit
                """).Bind("tenant", tenantId).Bind("user", userId).Bind("limit", limit).Bind("c_pos", after?.Position ?? 0L).Bind("c_id", after?.Id);
            return await command.ReadAllAsync(r => new Conversation(r.GetString(0), r.GetNullableString(1), r.GetString(2), r.GetString(3), r.GetTime(4), r.GetTime(5),
                r.GetInt64(6), r.GetInt64(7), r.GetNullableString(8), r.GetNullableString(9)), cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    // The user's current memories of the kind that share the most words with the new one, and for a fact the newest facts.
    private static async Task<List<MemoryItem>> CandidatesAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, MemoryItem memory, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, MemoryItem>(StringComparer.Ordinal);
        var words = MemoryRules.Words(memory.Content);
        if (words.Count > 0)
        {
            using var similar = c.Command($"""
                SELECT {Columns} FROM memories m, websearch_to_tsquery('english', @match) q
                WHERE m.search @@ q AND m.tenant_id = @tenant AND m.user_id = @user AND m.kind = @kind AND m.valid_to IS NULL AND m.agent_id IS NOT DISTINCT FROM @agent
                ORDER BY ts_rank(m.search, q) DESC LIMIT @limit
                """, t).Bind("match", string.Join(" OR ", words)).Bind("tenant", tenantId).Bind("user", memory.UserId).Bind("kind", memory.Kind).Bind("agent", memory.AgentId)
                .Bind("limit", DuplicateCandidates);
            foreach (var m in await similar.ReadAllAsync(Read, cancellationToken).ConfigureAwait(false))
            {
                found[m.Id] = m;
            }
        }

        if (memory.Kind == MemoryKind.Fact)
        {
            using var facts = c.Command($"""
                SELECT {Columns} FROM memories
                WHERE tenant_id = @tenant AND user_id = @user AND kind = 'fact' AND valid_to IS NULL AND agent_id IS NOT DISTINCT FROM @agent
                ORDER BY valid_from DESC LIMIT @limit
                """, t).Bind("tenant", tenantId).Bind("user", memory.UserId).Bind("agent", memory.AgentId).Bind("limit", FactCandidates);
            foreach (var m in await facts.ReadAllAsync(Read, cancellationToken).ConfigureAwait(false))
            {
                found[m.Id] = m;
            }
        }

        return [.. found.Values];
    }

    private static async Task InsertAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, MemoryItem m, CancellationToken cancellationToken)
    {
        using var command = Bind(c.Command($"""
            INSERT INTO memories (tenant_id, {Columns.Replace("::text", "", StringComparison.Ordinal)})
            VALUES (@tenant, @id, @user, @agent, @session, @kind, @content, @subject, @sources, @from, @to, @by, @mentions, @created, @updated)
            """, t), tenantId, m);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task SaveAsync(NpgsqlConnection c, NpgsqlTransaction t, string tenantId, MemoryItem m, CancellationToken cancellationToken)
    {
        // A rewritten memory needs a new vector; the indexer makes it.
        using (var stale = c.Command("DELETE FROM embeddings WHERE item_kind = 'memory' AND item_rowid = (SELECT row_id FROM memories WHERE tenant_id = @tenant AND id = @id AND content <> @content)", t)
            .Bind("tenant", tenantId).Bind("id", m.Id).Bind("content", m.Content))
        {
            await stale.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using var command = Bind(c.Command("""
            UPDATE memories SET kind = @kind, content = @content, subject = @subject, sources = @sources, valid_from = @from, valid_to = @to,
                superseded_by = @by, mentions = @mentions, updated_at = @updated
            WHERE tenant_id = @tenant AND id = @id
            """, t), tenantId, m);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Bind(NpgsqlCommand command, string tenantId, MemoryItem m) => command
        .Bind("tenant", tenantId).Bind("id", m.Id).Bind("user", m.UserId).Bind("agent", m.AgentId).Bind("session", m.SessionId).Bind("kind", m.Kind)
        .Bind("content", m.Content).Bind("subject", m.Subject).BindJson("sources", MemoryRows.SourcesJson(m.Sources))
        .Bind("from", m.ValidFrom).BindNullable("to", m.ValidTo?.UtcTicks).Bind("by", m.SupersededBy).Bind("mentions", m.Mentions)
        .Bind("created", m.CreatedAt).Bind("updated", m.UpdatedAt);

    private static MemoryItem Read(NpgsqlDataReader r) => MemoryRows.Read(r);
}
