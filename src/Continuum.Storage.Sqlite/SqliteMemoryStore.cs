using System.Text;
using Continuum.Memory;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>
/// Long-term memories in SQLite. Adding one reads the candidates it may merge with or supersede and applies the
/// decision in the same transaction of the one writer, so two near-duplicates written at once still end as one.
/// </summary>
public sealed class SqliteMemoryStore(SqliteDatabase database) : IMemoryStore
{
    private const string Columns = MemoryRows.Columns;
    private const int DuplicateCandidates = 20;
    private const int FactCandidates = 50;
    private static readonly string PrefixedColumns = string.Join(", ", Columns.Split(", ").Select(c => "m." + c));

    /// <inheritdoc />
    public Task<MemoryWrite> AddAsync(string tenantId, MemoryItem memory, Func<MemoryItem, IReadOnlyList<MemoryItem>, MemoryDecision> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(decide);
        return database.WriteAsync(w =>
        {
            var candidates = Candidates(w, tenantId, memory);
            var decision = decide(memory, candidates);
            if (decision.MergeInto is { } targetId && candidates.FirstOrDefault(c => c.Id == targetId) is { } target)
            {
                var merged = target with
                {
                    Content = decision.MergedContent ?? target.Content,
                    Sources = [.. target.Sources.Concat(memory.Sources).Distinct()],
                    Mentions = target.Mentions + 1,
                    UpdatedAt = memory.UpdatedAt,
                };
                Save(w, tenantId, merged);
                return new MemoryWrite(merged, "merged", []);
            }

            var stored = memory with { Subject = decision.Subject ?? memory.Subject };
            Insert(w, tenantId, stored);
            var superseded = new List<MemoryItem>();
            foreach (var id in decision.Supersede)
            {
                if (candidates.FirstOrDefault(c => c.Id == id) is { ValidTo: null } old)
                {
                    var closed = old with { ValidTo = stored.ValidFrom, SupersededBy = stored.Id, UpdatedAt = memory.UpdatedAt };
                    Save(w, tenantId, closed);
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
        return database.WriteAsync(w =>
        {
            using var find = w.Command($"SELECT {Columns} FROM memories WHERE tenant_id = $tenant AND session_id = $session AND kind = 'conversation'")
                .Bind("$tenant", tenantId).Bind("$session", memory.SessionId);
            var existing = ReadAll(find).FirstOrDefault();
            if (existing is null)
            {
                Insert(w, tenantId, memory);
                return memory;
            }

            var updated = existing with { Content = memory.Content, Sources = memory.Sources, UpdatedAt = memory.UpdatedAt };
            Save(w, tenantId, updated);
            return updated;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<MemoryItem?> GetAsync(string tenantId, string memoryId, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM memories WHERE tenant_id = $tenant AND id = $id";
            command.Bind("$tenant", tenantId).Bind("$id", memoryId);
            return ReadAll(command).FirstOrDefault();
        }
    }

    /// <inheritdoc />
    public Task<MemoryItem?> UpdateAsync(string tenantId, string memoryId, Func<MemoryItem, MemoryItem> update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        return database.WriteAsync(w =>
        {
            using var find = w.Command($"SELECT {Columns} FROM memories WHERE tenant_id = $tenant AND id = $id").Bind("$tenant", tenantId).Bind("$id", memoryId);
            if (ReadAll(find).FirstOrDefault() is not { } existing)
            {
                return null;
            }

            var updated = update(existing);
            Save(w, tenantId, updated);
            return updated;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string tenantId, string memoryId, CancellationToken cancellationToken) =>
        database.WriteAsync(w =>
        {
            // The facts it had closed stay closed: their history is theirs. Its vector goes with it.
            w.Command("DELETE FROM embeddings WHERE item_kind = 'memory' AND item_rowid = (SELECT rowid FROM memories WHERE tenant_id = $tenant AND id = $id)")
                .Bind("$tenant", tenantId).Bind("$id", memoryId).ExecuteNonQuery();
            return w.Command("DELETE FROM memories WHERE tenant_id = $tenant AND id = $id").Bind("$tenant", tenantId).Bind("$id", memoryId).ExecuteNonQuery() > 0;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<MemoryItem>> ListAsync(string tenantId, string userId, string? kind, string? agentId, bool includeHistory, int limit, ListCursor? after, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT {Columns} FROM memories
                WHERE tenant_id = $tenant AND user_id = $user AND ($kind IS NULL OR kind = $kind)
                  AND ($agent IS NULL OR agent_id IS NULL OR agent_id = $agent) AND ($history = 1 OR valid_to IS NULL)
                  AND ($c_id IS NULL OR updated_at < $c_pos OR (updated_at = $c_pos AND id < $c_id))
                ORDER BY updated_at DESC, id DESC LIMIT $limit
                """;
            command.Bind("$tenant", tenantId).Bind("$user", userId).Bind("$kind", kind).Bind("$agent", agentId).Bind("$history", includeHistory ? 1 : 0).Bind("$limit", limit)
                .Bind("$c_pos", after?.Position ?? 0).Bind("$c_id", after?.Id);
            return ReadAll(command);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string TenantId, string SessionId)>> SessionsNeedingConversationMemoryAsync(DateTimeOffset idleBefore, int limit, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT s.tenant_id, s.id FROM sessions s
                WHERE s.user_id IS NOT NULL AND s.messages > 0 AND (s.status <> 'active' OR s.last_active_at < $idle)
                  AND NOT EXISTS (SELECT 1 FROM memories m WHERE m.tenant_id = s.tenant_id AND m.session_id = s.id AND m.kind = 'conversation' AND m.updated_at >= s.last_active_at)
                ORDER BY s.last_active_at LIMIT $limit
                """;
            command.Bind("$idle", idleBefore).Bind("$limit", limit);
            var due = new List<(string, string)>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                due.Add((reader.GetString(0), reader.GetString(1)));
            }

            return due;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Conversation>> ConversationsAsync(string tenantId, string userId, int limit, ListCursor? after, CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT s.id, coalesce(s.title, (SELECT substr(content, 1, 80) FROM events WHERE session_id = s.id AND type = 'message' AND role = 'user' ORDER BY seq LIMIT 1)),
                       s.interface, s.status, s.created_at, s.last_active_at, s.messages, s.last_seq,
                       last.content, last.role
                FROM sessions s
                LEFT JOIN events last ON last.session_id = s.id AND last.seq = (SELECT max(seq) FROM events WHERE session_id = s.id AND type = 'message')
                WHERE s.tenant_id = $tenant AND s.user_id = $user
                  AND ($c_id IS NULL OR s.last_active_at < $c_pos OR (s.last_active_at = $c_pos AND s.id < $c_id))
                ORDER BY s.last_active_at DESC, s.id DESC LIMIT $limit
                """;
            command.Bind("$tenant", tenantId).Bind("$user", userId).Bind("$limit", limit).Bind("$c_pos", after?.Position ?? 0).Bind("$c_id", after?.Id);
            var conversations = new List<Conversation>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                conversations.Add(new Conversation(reader.GetString(0), reader.GetNullableString(1), reader.GetString(2), reader.GetString(3), reader.GetTime(4), reader.GetTime(5),
                    reader.GetInt64(6), reader.GetInt64(7), reader.GetNullableString(8), reader.GetNullableString(9)));
            }

            return conversations;
        }
    }

    // The user's current memories of the kind that share the most words with the new one, and for a fact the newest facts.
    private static List<MemoryItem> Candidates(SqliteWriteContext w, string tenantId, MemoryItem memory)
    {
        var found = new Dictionary<string, MemoryItem>(StringComparer.Ordinal);
        var words = MemoryRules.Words(memory.Content);
        if (words.Count > 0)
        {
            var match = string.Join(" OR ", words.Select(x => "\"" + x.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"*"));
            using var similar = w.Command($"""
                SELECT {PrefixedColumns} FROM memories_fts JOIN memories m ON m.rowid = memories_fts.rowid
                WHERE memories_fts MATCH $match AND m.tenant_id = $tenant AND m.user_id = $user AND m.kind = $kind AND m.valid_to IS NULL
                  AND m.agent_id IS $agent
                ORDER BY bm25(memories_fts) LIMIT $limit
                """).Bind("$match", match).Bind("$tenant", tenantId).Bind("$user", memory.UserId).Bind("$kind", memory.Kind).Bind("$agent", memory.AgentId)
                .Bind("$limit", DuplicateCandidates);
            foreach (var m in ReadAll(similar))
            {
                found[m.Id] = m;
            }
        }

        if (memory.Kind == MemoryKind.Fact)
        {
            using var facts = w.Command($"""
                SELECT {Columns} FROM memories
                WHERE tenant_id = $tenant AND user_id = $user AND kind = 'fact' AND valid_to IS NULL AND agent_id IS $agent
                ORDER BY valid_from DESC LIMIT $limit
                """).Bind("$tenant", tenantId).Bind("$user", memory.UserId).Bind("$agent", memory.AgentId).Bind("$limit", FactCandidates);
            foreach (var m in ReadAll(facts))
            {
                found[m.Id] = m;
            }
        }

        return [.. found.Values];
    }

    private static void Insert(SqliteWriteContext w, string tenantId, MemoryItem m) =>
        Bind(w.Command($"INSERT INTO memories (tenant_id, {Columns}) VALUES ($tenant, $id, $user, $agent, $session, $kind, $content, $subject, $sources, $from, $to, $by, $mentions, $created, $updated)"), tenantId, m)
            .ExecuteNonQuery();

    private static void Save(SqliteWriteContext w, string tenantId, MemoryItem m)
    {
        // A rewritten memory needs a new vector; the indexer makes it.
        w.Command("DELETE FROM embeddings WHERE item_kind = 'memory' AND item_rowid = (SELECT rowid FROM memories WHERE tenant_id = $tenant AND id = $id AND content <> $content)")
            .Bind("$tenant", tenantId).Bind("$id", m.Id).Bind("$content", m.Content).ExecuteNonQuery();
        Bind(w.Command("""
            UPDATE memories SET kind = $kind, content = $content, subject = $subject, sources = $sources, valid_from = $from, valid_to = $to,
                superseded_by = $by, mentions = $mentions, updated_at = $updated
            WHERE tenant_id = $tenant AND id = $id
            """), tenantId, m).ExecuteNonQuery();
    }

    private static SqliteCommand Bind(SqliteCommand command, string tenantId, MemoryItem m) => command
        .Bind("$tenant", tenantId).Bind("$id", m.Id).Bind("$user", m.UserId).Bind("$agent", m.AgentId).Bind("$session", m.SessionId).Bind("$kind", m.Kind)
        .Bind("$content", m.Content).Bind("$subject", m.Subject).Bind("$sources", MemoryRows.SourcesJson(m.Sources))
        .Bind("$from", m.ValidFrom).Bind("$to", m.ValidTo).Bind("$by", m.SupersededBy).Bind("$mentions", m.Mentions)
        .Bind("$created", m.CreatedAt).Bind("$updated", m.UpdatedAt);

    private static List<MemoryItem> ReadAll(SqliteCommand command)
    {
        var items = new List<MemoryItem>();
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            items.Add(MemoryRows.Read(r));
        }

        return items;
    }
}
