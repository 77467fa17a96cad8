namespace Continuum.Lifecycle;

/// <summary>
/// The export format, version 1 (docs/export.md): a header line, then one line a record, <c>{"kind": …, "row": {…}}</c>,
/// kind by kind in the order of <see cref="Kinds"/> (parents before what refers to them).
/// </summary>
public static class ExportFormat
{
    /// <summary>The header's <c>format</c>.</summary>
    public const string Name = "continuum.export";

    /// <summary>The version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>The media type of an export.</summary>
    public const string MediaType = "application/x-ndjson";

    private const string UserSessions = "SELECT id FROM sessions WHERE tenant_id = @tenant AND user_id = @id";

    /// <summary>Every kind, in the order an export writes them.</summary>
    public static IReadOnlyList<ExportKind> Kinds { get; } =
    [
        Kind("users", "id", [T("id"), Tn("display_name"), I("created_at"), Tn("merged_into")],
            (ExportScope.User, "id = @id OR merged_into = @id")),
        Kind("identities", "interface, external_user_id", [T("interface"), T("external_user_id"), T("user_id"), Tn("display_name"), I("created_at")],
            (ExportScope.User, "user_id = @id")),
        Kind("sessions", "id",
            [
                T("id"), Tn("user_id"), Tn("agent_id"), T("interface"), Tn("interface_id"), Tn("node_name"), T("status"), Tn("title"), Tn("parent_id"),
                I("created_at"), I("last_active_at"), I("expires_at"), I("expires_in_seconds"), I("token_limit"),
                I("messages"), I("input_tokens"), I("output_tokens"), I("tool_calls"), I("errors"), I("last_seq"),
                J("state"), J("preferences"), J("metadata"), Tn("summary"), J("entities"), J("topics"), Jn("carried_over"),
                I("summarized_seq"), I("unsummarized_tokens"), I("cleared_seq"),
            ],
            (ExportScope.User, "user_id = @id"), (ExportScope.Session, "id = @id")),
        Kind("session_links", "from_session_id, to_session_id, type", [T("from_session_id"), T("to_session_id"), T("type"), In("at_seq"), I("created_at")],
            (ExportScope.User, $"from_session_id IN ({UserSessions}) OR to_session_id IN ({UserSessions})"), (ExportScope.Session, "from_session_id = @id OR to_session_id = @id")),
        Kind("events", "session_id, seq",
            [
                T("session_id"), I("seq"), T("id"), Tn("user_id"), T("type"), T("role"), Tn("name"), T("content"), I("tokens"), J("entities"),
                T("interface"), I("created_at"), Jn("metadata"), Tn("idempotency_key"),
            ],
            (ExportScope.User, $"session_id IN ({UserSessions})"), (ExportScope.Session, "session_id = @id")),
        Kind("summaries", "id",
            [T("id"), T("session_id"), Tn("user_id"), I("level"), I("from_seq"), I("to_seq"), T("content"), I("tokens"), T("summarizer"), I("created_at"), Tn("covered_by")],
            (ExportScope.User, $"session_id IN ({UserSessions})"), (ExportScope.Session, "session_id = @id")),
        Kind("session_entities", "session_id, key", [T("session_id"), T("key"), T("name"), T("kind"), I("mentions"), I("last_seq")],
            (ExportScope.User, $"session_id IN ({UserSessions})"), (ExportScope.Session, "session_id = @id")),
        Kind("user_entities", "user_id, key", [T("user_id"), T("key"), T("name"), T("kind"), I("first_seen"), I("last_seen"), I("mentions")],
            (ExportScope.User, "user_id = @id")),
        Kind("user_entity_sessions", "user_id, key, session_id, interface", [T("user_id"), T("key"), T("session_id"), T("interface")],
            (ExportScope.User, "user_id = @id"), (ExportScope.Session, "session_id = @id")),
        Kind("memories", "id",
            [
                T("id"), T("user_id"), Tn("agent_id"), Tn("session_id"), T("kind"), T("content"), Tn("subject"), J("sources"), I("valid_from"), In("valid_to"),
                Tn("superseded_by"), I("mentions"), I("created_at"), I("updated_at"),
            ],
            (ExportScope.User, "user_id = @id"), (ExportScope.Session, "session_id = @id")),
        Kind("handoffs", "id", [T("id"), T("project"), Tn("session_id"), Tn("author"), I("at"), R("hours"), I("created_at"), Jb("document")],
            (ExportScope.Project, "project = @id")),
        Kind("kb_decisions", "project, number", [T("project"), I("number"), I("at"), T("decision"), Tn("reasoning"), Tn("impact"), T("status"), T("handoff_id")],
            (ExportScope.Project, "project = @id")),
        Kind("kb_insights", "project, key", [T("project"), T("key"), T("text"), T("kind"), I("first_seen")],
            (ExportScope.Project, "project = @id")),
        Kind("kb_insight_mentions", "project, key, handoff_id", [T("project"), T("key"), T("handoff_id"), I("at")],
            (ExportScope.Project, "project = @id")),
        Kind("kb_pending", "project, number",
            [T("project"), I("number"), T("task"), T("key"), T("priority"), I("opened_at"), T("opened_by"), In("closed_at"), Tn("closed_by")],
            (ExportScope.Project, "project = @id")),
        Kind("kb_architecture", "project, component, handoff_id", [T("project"), T("component"), I("at"), T("handoff_id"), Jb("value")],
            (ExportScope.Project, "project = @id")),
        Kind("kb_code", "project, path, handoff_id", [T("project"), T("path"), I("at"), T("handoff_id"), Tn("description")],
            (ExportScope.Project, "project = @id")),
        Kind("shared_keys", "namespace, key", [T("namespace"), T("key"), I("version")],
            (ExportScope.Project, "namespace = @id")),
        Kind("shared_entries", "namespace, key, version",
            [T("namespace"), T("key"), I("version"), T("type"), Jn("value"), J("tags"), T("author"), I("created_at"), In("expires_at"), B("deleted")],
            (ExportScope.Project, "namespace = @id")),
    ];

    private static readonly Dictionary<string, ExportKind> ByName = Kinds.ToDictionary(k => k.Name, StringComparer.Ordinal);

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static ExportKind? Find(string name) => ByName.GetValueOrDefault(name);

    private static ExportKind Kind(string name, string orderBy, ExportColumn[] columns, params (string Scope, string Condition)[] scopes)
    {
        var conditions = scopes.ToDictionary(s => s.Scope, s => s.Condition, StringComparer.Ordinal);
        conditions[ExportScope.Tenant] = "1 = 1";
        return new ExportKind(name, columns, orderBy, conditions);
    }

    private static ExportColumn T(string name) => new(name, ExportColumnType.Text);

    private static ExportColumn Tn(string name) => new(name, ExportColumnType.Text, true);

    private static ExportColumn I(string name) => new(name, ExportColumnType.WholeNumber);

    private static ExportColumn In(string name) => new(name, ExportColumnType.WholeNumber, true);

    private static ExportColumn R(string name) => new(name, ExportColumnType.Real);

    private static ExportColumn B(string name) => new(name, ExportColumnType.Boolean);

    private static ExportColumn J(string name) => new(name, ExportColumnType.Json);

    private static ExportColumn Jn(string name) => new(name, ExportColumnType.Json, true);

    private static ExportColumn Jb(string name) => new(name, ExportColumnType.Jsonb);
}
