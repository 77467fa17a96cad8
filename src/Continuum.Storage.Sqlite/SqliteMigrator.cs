using System.Globalization;
using Continuum.Storage;

namespace Continuum.Storage.Sqlite;

/// <summary>The SQLite schema's versioned migrations. Each runs once, in its own transaction, in order.</summary>
public sealed class SqliteMigrator(SqliteDatabase database) : IStoreMigrator
{
    private static readonly (int Version, string Name, string Sql)[] Migrations =
    [
        (1, "initial: users, identities, link codes, sessions, links, events", """
            CREATE TABLE users (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL PRIMARY KEY,
                display_name TEXT,
                created_at INTEGER NOT NULL,
                merged_into TEXT
            );
            CREATE INDEX ix_users_tenant ON users (tenant_id, created_at);

            CREATE TABLE identities (
                tenant_id TEXT NOT NULL,
                interface TEXT NOT NULL,
                external_user_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                display_name TEXT,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, interface, external_user_id)
            );
            CREATE INDEX ix_identities_user ON identities (tenant_id, user_id);

            CREATE TABLE link_codes (
                tenant_id TEXT NOT NULL,
                code_hash TEXT NOT NULL PRIMARY KEY,
                user_id TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                used_at INTEGER
            );

            CREATE TABLE sessions (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL PRIMARY KEY,
                user_id TEXT,
                agent_id TEXT,
                interface TEXT NOT NULL,
                interface_id TEXT,
                node_name TEXT,
                status TEXT NOT NULL,
                title TEXT,
                parent_id TEXT,
                created_at INTEGER NOT NULL,
                last_active_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                expires_in_seconds INTEGER NOT NULL,
                token_limit INTEGER NOT NULL,
                messages INTEGER NOT NULL DEFAULT 0,
                input_tokens INTEGER NOT NULL DEFAULT 0,
                output_tokens INTEGER NOT NULL DEFAULT 0,
                tool_calls INTEGER NOT NULL DEFAULT 0,
                errors INTEGER NOT NULL DEFAULT 0,
                last_seq INTEGER NOT NULL DEFAULT 0,
                state TEXT NOT NULL DEFAULT '{}',
                preferences TEXT NOT NULL DEFAULT '{}',
                metadata TEXT NOT NULL DEFAULT '{}',
                summary TEXT,
                entities TEXT NOT NULL DEFAULT '[]',
                topics TEXT NOT NULL DEFAULT '[]',
                carried_over TEXT
            );
            CREATE INDEX ix_sessions_user ON sessions (tenant_id, user_id, last_active_at);
            CREATE INDEX ix_sessions_created ON sessions (tenant_id, created_at, id);
            CREATE INDEX ix_sessions_anonymous ON sessions (tenant_id, interface, interface_id) WHERE user_id IS NULL;
            CREATE INDEX ix_sessions_expiry ON sessions (expires_at) WHERE status IN ('active', 'inactive');

            CREATE TABLE session_links (
                tenant_id TEXT NOT NULL,
                from_session_id TEXT NOT NULL,
                to_session_id TEXT NOT NULL,
                type TEXT NOT NULL,
                at_seq INTEGER,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (from_session_id, to_session_id, type)
            );
            CREATE INDEX ix_session_links_to ON session_links (to_session_id);

            CREATE TABLE events (
                tenant_id TEXT NOT NULL,
                session_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                id TEXT NOT NULL,
                user_id TEXT,
                type TEXT NOT NULL,
                role TEXT NOT NULL,
                name TEXT,
                content TEXT NOT NULL,
                tokens INTEGER NOT NULL,
                entities TEXT NOT NULL DEFAULT '[]',
                interface TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                metadata TEXT,
                idempotency_key TEXT
            );
            CREATE UNIQUE INDEX ux_events_session_seq ON events (session_id, seq);
            CREATE UNIQUE INDEX ux_events_idempotency ON events (session_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
            CREATE INDEX ix_events_user ON events (tenant_id, user_id, created_at);
            """),
        (2, "context: summaries, watermarks, entity counts", """
            ALTER TABLE sessions ADD COLUMN summarized_seq INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE sessions ADD COLUMN unsummarized_tokens INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE sessions ADD COLUMN cleared_seq INTEGER NOT NULL DEFAULT 0;
            UPDATE sessions SET unsummarized_tokens = input_tokens + output_tokens;
            ALTER TABLE events ADD COLUMN summary_id TEXT;

            CREATE TABLE summaries (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL PRIMARY KEY,
                session_id TEXT NOT NULL,
                user_id TEXT,
                level INTEGER NOT NULL,
                from_seq INTEGER NOT NULL,
                to_seq INTEGER NOT NULL,
                content TEXT NOT NULL,
                tokens INTEGER NOT NULL,
                summarizer TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                covered_by TEXT
            );
            CREATE INDEX ix_summaries_session ON summaries (session_id, from_seq);
            CREATE INDEX ix_summaries_fallback ON summaries (created_at) WHERE summarizer = 'extractive-fallback';

            CREATE TABLE session_entities (
                tenant_id TEXT NOT NULL,
                session_id TEXT NOT NULL,
                key TEXT NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                mentions INTEGER NOT NULL,
                last_seq INTEGER NOT NULL,
                PRIMARY KEY (session_id, key)
            );
            CREATE INDEX ix_session_entities_top ON session_entities (session_id, mentions);

            CREATE TABLE user_entities (
                tenant_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                key TEXT NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                first_seen INTEGER NOT NULL,
                last_seen INTEGER NOT NULL,
                mentions INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, user_id, key)
            );
            CREATE INDEX ix_user_entities_recent ON user_entities (tenant_id, user_id, last_seen);

            CREATE TABLE user_entity_sessions (
                tenant_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                key TEXT NOT NULL,
                session_id TEXT NOT NULL,
                interface TEXT NOT NULL,
                PRIMARY KEY (tenant_id, user_id, key, session_id, interface)
            );
            """),
        (3, "handoffs and the project knowledge base", """
            CREATE TABLE handoffs (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                project TEXT NOT NULL,
                session_id TEXT,
                author TEXT,
                at INTEGER NOT NULL,
                hours REAL NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL,
                document TEXT NOT NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE INDEX handoffs_by_project ON handoffs (tenant_id, project, at, hours);
            CREATE TABLE kb_decisions (
                tenant_id TEXT NOT NULL,
                project TEXT NOT NULL,
                number INTEGER NOT NULL,
                at INTEGER NOT NULL,
                decision TEXT NOT NULL,
                reasoning TEXT,
                impact TEXT,
                status TEXT NOT NULL,
                handoff_id TEXT NOT NULL,
                PRIMARY KEY (tenant_id, project, number)
            ) WITHOUT ROWID;
            CREATE TABLE kb_insights (
                tenant_id TEXT NOT NULL,
                project TEXT NOT NULL,
                key TEXT NOT NULL,
                text TEXT NOT NULL,
                kind TEXT NOT NULL,
                first_seen INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, project, key)
            ) WITHOUT ROWID;
            CREATE TABLE kb_insight_mentions (
                tenant_id TEXT NOT NULL,
                project TEXT NOT NULL,
                key TEXT NOT NULL,
                handoff_id TEXT NOT NULL,
                at INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, project, key, handoff_id)
            ) WITHOUT ROWID;
            CREATE TABLE kb_pending (
                tenant_id TEXT NOT NULL,
                project TEXT NOT NULL,
                number INTEGER NOT NULL,
                task TEXT NOT NULL,
                key TEXT NOT NULL,
                priority TEXT NOT NULL,
                opened_at INTEGER NOT NULL,
                opened_by TEXT NOT NULL,
                closed_at INTEGER,
                closed_by TEXT,
                PRIMARY KEY (tenant_id, project, number)
            ) WITHOUT ROWID;
            CREATE INDEX kb_pending_open ON kb_pending (tenant_id, project) WHERE closed_at IS NULL;
            CREATE TABLE kb_architecture (
                tenant_id TEXT NOT NULL,
                project TEXT NOT NULL,
                component TEXT NOT NULL,
                at INTEGER NOT NULL,
                handoff_id TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (tenant_id, project, component, handoff_id)
            ) WITHOUT ROWID;
            CREATE TABLE kb_code (
                tenant_id TEXT NOT NULL,
                project TEXT NOT NULL,
                path TEXT NOT NULL,
                at INTEGER NOT NULL,
                handoff_id TEXT NOT NULL,
                description TEXT,
                PRIMARY KEY (tenant_id, project, path, handoff_id)
            ) WITHOUT ROWID;
            """),
        (4, "agents: registry, hub messages and inboxes, shared memory", """
            CREATE TABLE agents (
                tenant_id TEXT NOT NULL,
                session_id TEXT NOT NULL,
                namespace TEXT NOT NULL,
                agent_name TEXT NOT NULL,
                agent_type TEXT NOT NULL,
                human_user TEXT,
                capabilities TEXT NOT NULL,
                status TEXT NOT NULL,
                current_task TEXT,
                registered_at INTEGER NOT NULL,
                last_seen_at INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, session_id)
            ) WITHOUT ROWID;
            CREATE INDEX agents_by_namespace ON agents (tenant_id, namespace);
            CREATE TABLE hub_messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id TEXT NOT NULL,
                namespace TEXT NOT NULL,
                type TEXT NOT NULL,
                from_session TEXT NOT NULL,
                to_session TEXT,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                data TEXT,
                reply_to INTEGER,
                thread_id INTEGER NOT NULL,
                recipients INTEGER NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX hub_messages_by_thread ON hub_messages (tenant_id, thread_id, id);
            CREATE TABLE hub_inbox (
                position INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id TEXT NOT NULL,
                recipient TEXT NOT NULL,
                message_id INTEGER NOT NULL,
                acked_at INTEGER
            );
            CREATE INDEX hub_inbox_by_recipient ON hub_inbox (tenant_id, recipient, position);
            CREATE INDEX hub_inbox_by_message ON hub_inbox (message_id);
            CREATE TABLE shared_keys (
                tenant_id TEXT NOT NULL,
                namespace TEXT NOT NULL,
                key TEXT NOT NULL,
                version INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, namespace, key)
            ) WITHOUT ROWID;
            CREATE TABLE shared_entries (
                position INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id TEXT NOT NULL,
                namespace TEXT NOT NULL,
                key TEXT NOT NULL,
                version INTEGER NOT NULL,
                type TEXT NOT NULL,
                value TEXT,
                tags TEXT NOT NULL,
                author TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER,
                deleted INTEGER NOT NULL DEFAULT 0,
                UNIQUE (tenant_id, namespace, key, version)
            );
            CREATE INDEX shared_entries_by_namespace ON shared_entries (tenant_id, namespace, position);
            CREATE INDEX shared_entries_expiring ON shared_entries (expires_at) WHERE expires_at IS NOT NULL;
            """),
        (5, "search and long-term memory: full-text indexes, memories, embeddings", """
            CREATE VIRTUAL TABLE events_fts USING fts5(name, content, content='events', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2');
            INSERT INTO events_fts (rowid, name, content) SELECT rowid, coalesce(name, ''), content FROM events;
            CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
                INSERT INTO events_fts (rowid, name, content) VALUES (new.rowid, coalesce(new.name, ''), new.content);
            END;
            CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
                INSERT INTO events_fts (events_fts, rowid, name, content) VALUES ('delete', old.rowid, coalesce(old.name, ''), old.content);
            END;
            CREATE TRIGGER events_fts_update AFTER UPDATE OF name, content ON events BEGIN
                INSERT INTO events_fts (events_fts, rowid, name, content) VALUES ('delete', old.rowid, coalesce(old.name, ''), old.content);
                INSERT INTO events_fts (rowid, name, content) VALUES (new.rowid, coalesce(new.name, ''), new.content);
            END;
            CREATE VIRTUAL TABLE summaries_fts USING fts5(content, content='summaries', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2');
            INSERT INTO summaries_fts (rowid, content) SELECT rowid, content FROM summaries;
            CREATE TRIGGER summaries_fts_insert AFTER INSERT ON summaries BEGIN
                INSERT INTO summaries_fts (rowid, content) VALUES (new.rowid, new.content);
            END;
            CREATE TRIGGER summaries_fts_delete AFTER DELETE ON summaries BEGIN
                INSERT INTO summaries_fts (summaries_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
            END;
            CREATE TRIGGER summaries_fts_update AFTER UPDATE OF content ON summaries BEGIN
                INSERT INTO summaries_fts (summaries_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
                INSERT INTO summaries_fts (rowid, content) VALUES (new.rowid, new.content);
            END;
            CREATE TABLE memories (
                rowid INTEGER PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL UNIQUE,
                user_id TEXT NOT NULL,
                agent_id TEXT,
                session_id TEXT,
                kind TEXT NOT NULL,
                content TEXT NOT NULL,
                subject TEXT,
                sources TEXT NOT NULL DEFAULT '[]',
                valid_from INTEGER NOT NULL,
                valid_to INTEGER,
                superseded_by TEXT,
                mentions INTEGER NOT NULL DEFAULT 1,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE INDEX memories_by_user ON memories (tenant_id, user_id, updated_at);
            CREATE UNIQUE INDEX memories_conversation ON memories (tenant_id, session_id) WHERE kind = 'conversation';
            CREATE VIRTUAL TABLE memories_fts USING fts5(content, content='memories', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2');
            CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
                INSERT INTO memories_fts (rowid, content) VALUES (new.rowid, new.content);
            END;
            CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
                INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
            END;
            CREATE TRIGGER memories_fts_update AFTER UPDATE OF content ON memories BEGIN
                INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
                INSERT INTO memories_fts (rowid, content) VALUES (new.rowid, new.content);
            END;
            CREATE TABLE embeddings (
                tenant_id TEXT NOT NULL,
                item_kind TEXT NOT NULL,
                item_rowid INTEGER NOT NULL,
                user_id TEXT,
                model TEXT NOT NULL,
                vector BLOB NOT NULL,
                PRIMARY KEY (item_kind, item_rowid)
            ) WITHOUT ROWID;
            CREATE INDEX embeddings_by_user ON embeddings (tenant_id, user_id);
            CREATE TABLE embedding_progress (model TEXT NOT NULL PRIMARY KEY, event_rowid INTEGER NOT NULL);
            """),
        (6, "api keys: hashed secrets, scopes, bindings", SqliteApiKeyStore.Schema),
        (7, "data lifecycle: the audit log, retention totals", """
            CREATE TABLE audit_log (
                position INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL UNIQUE,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT,
                counts TEXT NOT NULL DEFAULT '{}',
                at INTEGER NOT NULL
            );
            CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, at, id);
            CREATE TABLE retention_totals (
                tenant_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                removed INTEGER NOT NULL,
                last_run_at INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, kind)
            ) WITHOUT ROWID;
            """),
        (8, "retention: stored policies per tenant, indexes for what it looks up", """
            CREATE TABLE retention_policies (
                tenant_id TEXT NOT NULL PRIMARY KEY,
                policy TEXT NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE INDEX ix_events_created ON events (tenant_id, created_at);
            CREATE INDEX ix_sessions_closed ON sessions (tenant_id, last_active_at) WHERE status = 'closed';
            """),
        // Vectors are written in half precision from here on; the rows already there stay float32 (4 bytes a
        // dimension) and are read as such until re-embedded.
        (9, "embeddings: half-precision vectors, the encoding of each row", """
            ALTER TABLE embeddings ADD COLUMN encoding INTEGER NOT NULL DEFAULT 4;
            """),
    ];

    /// <summary>The schema version this build expects.</summary>
    public static int LatestVersion => Migrations.Max(m => m.Version);

    /// <inheritdoc />
    public string Describe() => $"sqlite:{database.FilePath}";

    /// <inheritdoc />
    public Task<MigrationReport> MigrateAsync(CancellationToken cancellationToken) =>
        database.WriteAsync(context =>
        {
            context.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
            var done = new HashSet<int>();
            using (var reader = context.Command("SELECT version FROM schema_migrations").ExecuteReader())
            {
                while (reader.Read())
                {
                    done.Add(reader.GetInt32(0));
                }
            }

            var current = done.Count == 0 ? 0 : done.Max();
            if (current > LatestVersion)
            {
                throw new InvalidOperationException($"The database {database.FilePath} is at schema version {current}, newer than this build's {LatestVersion}. Use a newer Continuum.");
            }

            var applied = new List<string>();
            // Every migration not yet applied runs, in version order: features developed side by side may land out of order.
            foreach (var (version, name, sql) in Migrations.Where(m => !done.Contains(m.Version)).OrderBy(m => m.Version))
            {
                // Schema statements run on a fresh command: they are run once, not worth preparing.
                using (var command = context.Connection.CreateCommand())
                {
                    command.CommandText = sql;
                    command.ExecuteNonQuery();
                }

                context.Command("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t)")
                    .Bind("$v", version).Bind("$n", name).Bind("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture))
                    .ExecuteNonQuery();
                applied.Add($"{version}: {name}");
            }

            return new MigrationReport(Describe(), current, Math.Max(current, LatestVersion), applied);
        }, cancellationToken);
}
