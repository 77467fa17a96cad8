using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema's versioned migrations, applied in order in one transaction under an advisory lock, so
/// several nodes starting at once apply each migration exactly once. Times are stored as UTC ticks (exact
/// round trips, the same as the embedded store); JSON that clients wrote is stored as <c>json</c>, which checks it
/// and keeps it exactly as written. Every table carries <c>tenant_id</c> (and user tables <c>user_id</c>) so the
/// schema can be sharded by tenant and user.
/// </summary>
public sealed class PostgresMigrator(PostgresDatabase database) : IStoreMigrator
{
    private const long MigrationLock = 0x436f6e74696e75; // "Continu"

    private static readonly (int Version, string Name, string Sql)[] Migrations =
    [
        (1, "initial: users, identities, link codes, sessions, links, events, summaries, entity counts", """
            CREATE TABLE users (
                tenant_id text NOT NULL,
                id text NOT NULL PRIMARY KEY,
                display_name text,
                created_at bigint NOT NULL,
                merged_into text
            );
            CREATE INDEX ix_users_tenant ON users (tenant_id, created_at);

            CREATE TABLE identities (
                tenant_id text NOT NULL,
                interface text NOT NULL,
                external_user_id text NOT NULL,
                user_id text NOT NULL,
                display_name text,
                created_at bigint NOT NULL,
                PRIMARY KEY (tenant_id, interface, external_user_id)
            );
            CREATE INDEX ix_identities_user ON identities (tenant_id, user_id);

            CREATE TABLE link_codes (
                tenant_id text NOT NULL,
                code_hash text NOT NULL PRIMARY KEY,
                user_id text NOT NULL,
                created_at bigint NOT NULL,
                expires_at bigint NOT NULL,
                used_at bigint
            );

            CREATE TABLE sessions (
                tenant_id text NOT NULL,
                id text NOT NULL PRIMARY KEY,
                user_id text,
                agent_id text,
                interface text NOT NULL,
                interface_id text,
                node_name text,
                status text NOT NULL,
                title text,
                parent_id text,
                created_at bigint NOT NULL,
                last_active_at bigint NOT NULL,
                expires_at bigint NOT NULL,
                expires_in_seconds bigint NOT NULL,
                token_limit integer NOT NULL,
                messages bigint NOT NULL DEFAULT 0,
                input_tokens bigint NOT NULL DEFAULT 0,
                output_tokens bigint NOT NULL DEFAULT 0,
                tool_calls bigint NOT NULL DEFAULT 0,
                errors bigint NOT NULL DEFAULT 0,
                last_seq bigint NOT NULL DEFAULT 0,
                state json NOT NULL DEFAULT '{}',
                preferences json NOT NULL DEFAULT '{}',
                metadata json NOT NULL DEFAULT '{}',
                summary text,
                entities json NOT NULL DEFAULT '[]',
                topics json NOT NULL DEFAULT '[]',
                carried_over json,
                summarized_seq bigint NOT NULL DEFAULT 0,
                unsummarized_tokens bigint NOT NULL DEFAULT 0,
                cleared_seq bigint NOT NULL DEFAULT 0
            );
            CREATE INDEX ix_sessions_user ON sessions (tenant_id, user_id, last_active_at);
            CREATE INDEX ix_sessions_created ON sessions (tenant_id, created_at, id);
            CREATE INDEX ix_sessions_anonymous ON sessions (tenant_id, interface, interface_id) WHERE user_id IS NULL;
            CREATE INDEX ix_sessions_expiry ON sessions (expires_at) WHERE status IN ('active', 'inactive');

            CREATE TABLE session_links (
                tenant_id text NOT NULL,
                from_session_id text NOT NULL,
                to_session_id text NOT NULL,
                type text NOT NULL,
                at_seq bigint,
                created_at bigint NOT NULL,
                PRIMARY KEY (from_session_id, to_session_id, type)
            );
            CREATE INDEX ix_session_links_to ON session_links (to_session_id);

            CREATE TABLE events (
                tenant_id text NOT NULL,
                session_id text NOT NULL,
                seq bigint NOT NULL,
                id text NOT NULL,
                user_id text,
                type text NOT NULL,
                role text NOT NULL,
                name text,
                content text NOT NULL,
                tokens integer NOT NULL,
                entities json NOT NULL DEFAULT '[]',
                interface text NOT NULL,
                created_at bigint NOT NULL,
                metadata json,
                idempotency_key text,
                PRIMARY KEY (session_id, seq)
            );
            CREATE UNIQUE INDEX ux_events_idempotency ON events (session_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
            CREATE INDEX ix_events_user ON events (tenant_id, user_id, created_at);
            -- A row number for search results and vectors, and full text: what was said weighs more than who said it.
            ALTER TABLE events ADD COLUMN row_id bigint GENERATED ALWAYS AS IDENTITY;
            CREATE UNIQUE INDEX ux_events_row ON events (row_id);
            ALTER TABLE events ADD COLUMN search tsvector GENERATED ALWAYS AS
                (setweight(to_tsvector('english', content), 'A') || setweight(to_tsvector('english', coalesce(name, '')), 'C')) STORED;
            CREATE INDEX ix_events_search ON events USING gin (search);

            CREATE TABLE summaries (
                tenant_id text NOT NULL,
                id text NOT NULL PRIMARY KEY,
                session_id text NOT NULL,
                user_id text,
                level integer NOT NULL,
                from_seq bigint NOT NULL,
                to_seq bigint NOT NULL,
                content text NOT NULL,
                tokens integer NOT NULL,
                summarizer text NOT NULL,
                created_at bigint NOT NULL,
                covered_by text
            );
            ALTER TABLE summaries ADD COLUMN row_id bigint GENERATED ALWAYS AS IDENTITY;
            CREATE UNIQUE INDEX ux_summaries_row ON summaries (row_id);
            ALTER TABLE summaries ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED;
            CREATE INDEX ix_summaries_search ON summaries USING gin (search);
            CREATE INDEX ix_summaries_session ON summaries (session_id, from_seq);
            CREATE INDEX ix_summaries_fallback ON summaries (created_at) WHERE summarizer = 'extractive-fallback';

            CREATE TABLE session_entities (
                tenant_id text NOT NULL,
                session_id text NOT NULL,
                key text NOT NULL,
                name text NOT NULL,
                kind text NOT NULL,
                mentions bigint NOT NULL,
                last_seq bigint NOT NULL,
                PRIMARY KEY (session_id, key)
            );
            CREATE INDEX ix_session_entities_top ON session_entities (session_id, mentions);

            CREATE TABLE user_entities (
                tenant_id text NOT NULL,
                user_id text NOT NULL,
                key text NOT NULL,
                name text NOT NULL,
                kind text NOT NULL,
                first_seen bigint NOT NULL,
                last_seen bigint NOT NULL,
                mentions bigint NOT NULL,
                PRIMARY KEY (tenant_id, user_id, key)
            );
            CREATE INDEX ix_user_entities_recent ON user_entities (tenant_id, user_id, last_seen);

            CREATE TABLE user_entity_sessions (
                tenant_id text NOT NULL,
                user_id text NOT NULL,
                key text NOT NULL,
                session_id text NOT NULL,
                interface text NOT NULL,
                PRIMARY KEY (tenant_id, user_id, key, session_id, interface)
            );
            """),
        (2, "handoffs and the knowledge base, agents, hub and shared memory, long-term memories, embeddings", """
            CREATE TABLE handoffs (
                tenant_id text NOT NULL,
                id text NOT NULL,
                project text NOT NULL,
                session_id text,
                author text,
                at bigint NOT NULL,
                hours double precision NOT NULL DEFAULT 0,
                created_at bigint NOT NULL,
                document jsonb NOT NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE INDEX handoffs_by_project ON handoffs (tenant_id, project, at) INCLUDE (hours);
            CREATE TABLE kb_decisions (
                tenant_id text NOT NULL, project text NOT NULL, number bigint NOT NULL, at bigint NOT NULL,
                decision text NOT NULL, reasoning text, impact text, status text NOT NULL, handoff_id text NOT NULL,
                PRIMARY KEY (tenant_id, project, number)
            );
            CREATE TABLE kb_insights (
                tenant_id text NOT NULL, project text NOT NULL, key text NOT NULL, text text NOT NULL, kind text NOT NULL, first_seen bigint NOT NULL,
                PRIMARY KEY (tenant_id, project, key)
            );
            CREATE TABLE kb_insight_mentions (
                tenant_id text NOT NULL, project text NOT NULL, key text NOT NULL, handoff_id text NOT NULL, at bigint NOT NULL,
                PRIMARY KEY (tenant_id, project, key, handoff_id)
            );
            CREATE TABLE kb_pending (
                tenant_id text NOT NULL, project text NOT NULL, number bigint NOT NULL, task text NOT NULL, key text NOT NULL, priority text NOT NULL,
                opened_at bigint NOT NULL, opened_by text NOT NULL, closed_at bigint, closed_by text,
                PRIMARY KEY (tenant_id, project, number)
            );
            CREATE INDEX kb_pending_open ON kb_pending (tenant_id, project) WHERE closed_at IS NULL;
            CREATE TABLE kb_architecture (
                tenant_id text NOT NULL, project text NOT NULL, component text NOT NULL, at bigint NOT NULL, handoff_id text NOT NULL, value jsonb NOT NULL,
                PRIMARY KEY (tenant_id, project, component, handoff_id)
            );
            CREATE TABLE kb_code (
                tenant_id text NOT NULL, project text NOT NULL, path text NOT NULL, at bigint NOT NULL, handoff_id text NOT NULL, description text,
                PRIMARY KEY (tenant_id, project, path, handoff_id)
            );

            CREATE TABLE agents (
                tenant_id text NOT NULL, session_id text NOT NULL, namespace text NOT NULL, agent_name text NOT NULL, agent_type text NOT NULL,
                human_user text, capabilities json NOT NULL, status text NOT NULL, current_task text, registered_at bigint NOT NULL, last_seen_at bigint NOT NULL,
                PRIMARY KEY (tenant_id, session_id)
            );
            CREATE INDEX agents_by_namespace ON agents (tenant_id, namespace);
            CREATE TABLE hub_messages (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id text NOT NULL, namespace text NOT NULL, type text NOT NULL, from_session text NOT NULL, to_session text,
                subject text NOT NULL, body text NOT NULL, data json, reply_to bigint, thread_id bigint NOT NULL, recipients integer NOT NULL, created_at bigint NOT NULL
            );
            CREATE INDEX hub_messages_by_thread ON hub_messages (tenant_id, thread_id, id);
            CREATE TABLE hub_inbox (
                position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id text NOT NULL, recipient text NOT NULL, message_id bigint NOT NULL, acked_at bigint
            );
            CREATE INDEX hub_inbox_by_recipient ON hub_inbox (tenant_id, recipient, position);
            CREATE INDEX hub_inbox_by_message ON hub_inbox (message_id);
            CREATE TABLE shared_keys (
                tenant_id text NOT NULL, namespace text NOT NULL, key text NOT NULL, version bigint NOT NULL,
                PRIMARY KEY (tenant_id, namespace, key)
            );
            CREATE TABLE shared_entries (
                position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id text NOT NULL, namespace text NOT NULL, key text NOT NULL, version bigint NOT NULL, type text NOT NULL, value json,
                tags json NOT NULL, author text NOT NULL, created_at bigint NOT NULL, expires_at bigint, deleted boolean NOT NULL DEFAULT false,
                UNIQUE (tenant_id, namespace, key, version)
            );
            CREATE INDEX shared_entries_by_namespace ON shared_entries (tenant_id, namespace, position);
            CREATE INDEX shared_entries_expiring ON shared_entries (expires_at) WHERE expires_at IS NOT NULL;

            CREATE TABLE memories (
                row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id text NOT NULL, id text NOT NULL UNIQUE, user_id text NOT NULL, agent_id text, session_id text, kind text NOT NULL,
                content text NOT NULL, subject text, sources json NOT NULL DEFAULT '[]', valid_from bigint NOT NULL, valid_to bigint,
                superseded_by text, mentions integer NOT NULL DEFAULT 1, created_at bigint NOT NULL, updated_at bigint NOT NULL,
                search tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED
            );
            CREATE INDEX memories_by_user ON memories (tenant_id, user_id, updated_at);
            CREATE UNIQUE INDEX memories_conversation ON memories (tenant_id, session_id) WHERE kind = 'conversation';
            CREATE INDEX memories_search ON memories USING gin (search);
            CREATE INDEX memories_current ON memories (tenant_id, user_id, kind) WHERE valid_to IS NULL;

            CREATE TABLE embeddings (
                tenant_id text NOT NULL, item_kind text NOT NULL, item_rowid bigint NOT NULL, user_id text, model text NOT NULL, vector real[] NOT NULL,
                PRIMARY KEY (item_kind, item_rowid)
            );
            CREATE INDEX embeddings_by_user ON embeddings (tenant_id, user_id);
            CREATE TABLE embedding_progress (model text NOT NULL PRIMARY KEY, event_rowid bigint NOT NULL);
            """),
        (3, "api keys: hashed secrets, scopes, bindings", PostgresApiKeyStore.Schema),
        (4, "data lifecycle: the audit log, retention totals", """
            CREATE TABLE audit_log (
                position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id text NOT NULL,
                id text NOT NULL UNIQUE,
                actor text NOT NULL,
                action text NOT NULL,
                target text,
                counts json NOT NULL DEFAULT '{}',
                at bigint NOT NULL
            );
            CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, at, id);
            CREATE TABLE retention_totals (
                tenant_id text NOT NULL,
                kind text NOT NULL,
                removed bigint NOT NULL,
                last_run_at bigint NOT NULL,
                PRIMARY KEY (tenant_id, kind)
            );
            """),
        (5, "retention: stored policies per tenant, indexes for what it looks up", """
            CREATE TABLE retention_policies (
                tenant_id text NOT NULL PRIMARY KEY,
                policy text NOT NULL,
                updated_at bigint NOT NULL
            );
            CREATE INDEX ix_events_created ON events (tenant_id, created_at);
            CREATE INDEX ix_sessions_closed ON sessions (tenant_id, last_active_at) WHERE status = 'closed';
            """),
        // Vectors are written in half precision (bytea, two bytes a dimension) from here on; the real[] rows already
        // there stay readable until re-embedded, new rows leave real[] empty.
        (6, "embeddings: half-precision vectors", """
            ALTER TABLE embeddings ADD COLUMN half bytea;
            """),
    ];

    /// <summary>The schema version this build expects.</summary>
    public static int LatestVersion => Migrations.Max(m => m.Version);

    /// <inheritdoc />
    public string Describe() => $"postgres:{database.Host}/{database.Database}";

    /// <inheritdoc />
    public Task<MigrationReport> MigrateAsync(CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken).ConfigureAwait(false);
            await Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken).ConfigureAwait(false);
            var done = new HashSet<int>();
            using (var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection, transaction))
            {
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    done.Add(reader.GetInt32(0));
                }
            }

            var current = done.Count == 0 ? 0 : done.Max();
            if (current > LatestVersion)
            {
                throw new InvalidOperationException($"The database {Describe()} is at schema version {current}, newer than this build's {LatestVersion}. Use a newer Continuum.");
            }

            var applied = new List<string>();
            foreach (var (version, name, sql) in Migrations.Where(m => !done.Contains(m.Version)).OrderBy(m => m.Version))
            {
                await Execute(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
                using var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES (@v, @n)", connection, transaction);
                record.Parameters.AddWithValue("v", version);
                record.Parameters.AddWithValue("n", name);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                applied.Add($"{version}: {name}");
            }

            return new MigrationReport(Describe(), current, Math.Max(current, LatestVersion), applied);
        }, cancellationToken);

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
